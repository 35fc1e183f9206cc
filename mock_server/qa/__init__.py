"""QA data tools: datasets of the mock's exact answers, an edge-case catalogue, charts for the explorer."""

from .answers import RecordedAnswer, answer_range, local_range
from .population import PopulationSpec, parse_population, population_users

__all__ = [
    "PopulationSpec",
    "RecordedAnswer",
    "answer_range",
    "local_range",
    "parse_population",
    "population_users",
]
