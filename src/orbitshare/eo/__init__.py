"""Earth observation: the virtual constellation's assets, imaging opportunities, persistence and STAC products."""
