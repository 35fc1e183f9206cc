"""Pure synthetic data engine: personas, one day's values, aggregates. No Flask here."""

from .day import METRICS, DayValues, HeartDay, Metric, SleepNight, StepDay, generate_day
from .engine import DataEngine
from .profiles import Persona, PinnedDay, UserProfile
from .summary import EmptyDays, metric_data

__all__ = [
    "METRICS",
    "DataEngine",
    "DayValues",
    "EmptyDays",
    "HeartDay",
    "Metric",
    "Persona",
    "PinnedDay",
    "SleepNight",
    "StepDay",
    "UserProfile",
    "generate_day",
    "metric_data",
]
