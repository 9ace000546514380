"""What happens at expos: the expos themselves, who exhibited, forums, speakers, deals, awards,
figures, and the source documents every fact is cited from. One module a topic.

This app builds on `exhibitors`; `exhibitors` never imports from here.
"""

from core.changelog import track

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

# Every write to these tables is recorded by the database (core.changelog), links included.
for _model in (
    ExpoSeries,
    Expo,
    Expo.organisers.through,
    Figure,
    Area,
    Participation,
    Organisation,
    Forum,
    Forum.organisers.through,
    Forum.partners.through,
    Speaker,
    Appearance,
    Statement,
    Deal,
    Deal.parties.through,
    Award,
    Highlight,
    Source,
    Citation,
):
    track(_model)
# The sector links are models of their own (a sector in use is protected), each part of its
# owner: the change feed reports a link as a change of the expo or deal.
track(ExpoSector, owner="expo")
track(DealSector, owner="deal")

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
