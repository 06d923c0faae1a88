"""PNT resilience: GNSS (GPS, Galileo) visibility and dilution of precision over a region, under jamming and outages."""
