"""Object behaviour: manoeuvres (GEO boxes), proximity, fragmentations (breakup epoch), ground passes, overflights,
alerts; file I/O in io, plots in report, the manoeuvre scoring harness in evaluation."""

__all__ = [
    "alerts",
    "breakup_epoch",
    "evaluation",
    "fragmentation",
    "geo_boxes",
    "ground_passes",
    "io",
    "manoeuvres",
    "overflight",
    "proximity",
    "report",
]
