"""Earth observation: the virtual constellation's assets, imaging opportunities, persistence and STAC products."""

__all__ = ["activation", "aoi", "assets", "geometry", "opportunities", "persistence", "planning", "plots", "sensor",
           "stac"]
