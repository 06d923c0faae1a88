"""PNT resilience: GNSS (GPS, Galileo) visibility and dilution of precision over a region, under jamming and outages."""

from orbitshare.pnt.evaluate import EvaluationConfig, PntEvaluation, evaluate
from orbitshare.pnt.geometry import dop

__all__ = ["EvaluationConfig", "PntEvaluation", "dop", "evaluate"]
