"""Earth observation: the virtual constellation's assets, opportunities and collection planning."""
