"""Collection planning: CP-SAT models for SPOT5, the agile aeossp_standard set and partner requests."""

__all__ = ["aeossp", "candidates", "engine", "geometry", "planner", "requests", "spot5"]
