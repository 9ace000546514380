"""What happens at expos: the expos themselves, who exhibited, forums, speakers, deals, awards,
figures, and the source documents every fact is cited from. One module a topic.

This app builds on `exhibitors`; `exhibitors` never imports from here.
"""

from .expos import Area, Expo, ExpoSector, ExpoSeries, Figure, Participation
from .facetcounts import ExpoExhibitorCount, YearExhibitorCount
from .forums import Appearance, Forum, Speaker, Statement
from .imports import ImportOutcome, ImportRun
from .organisations import Organisation
from .outcomes import Award, Deal, DealSector, Highlight
from .provenance import (
    CITED_ELSEWHERE,
    Citation,
    CitedModel,
    Source,
    citable_labels,
    citable_models,
    normalise_space,
)

__all__ = [
    "CITED_ELSEWHERE",
    "Appearance",
    "Area",
    "Award",
    "Citation",
    "CitedModel",
    "Deal",
    "DealSector",
    "Expo",
    "ExpoExhibitorCount",
    "ExpoSector",
    "ExpoSeries",
    "Figure",
    "Forum",
    "Highlight",
    "ImportOutcome",
    "ImportRun",
    "Organisation",
    "Participation",
    "Source",
    "Speaker",
    "Statement",
    "YearExhibitorCount",
    "citable_labels",
    "citable_models",
    "normalise_space",
]
