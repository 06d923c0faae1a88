"""SATCOM and PNT resilience: radio link figures, GEO/MEO/LEO constellation models, link budgets, jamming."""

from orbitshare.satcom.rf import db_to_linear, free_space_loss_db, linear_to_db, wavelength_m

__all__ = ["db_to_linear", "free_space_loss_db", "linear_to_db", "wavelength_m"]
