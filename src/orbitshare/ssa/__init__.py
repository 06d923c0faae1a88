"""Space situational awareness: conjunction assessment (conjunction/) and object behaviour (behaviour/)."""

__all__ = ["behaviour", "conjunction"]
