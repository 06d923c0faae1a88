"""Propagated states out of orbitshare: tables (CSV, Parquet), CCSDS OEM and Cesium CZML, streamed per object."""

__all__ = ["czml", "ephemeris"]
