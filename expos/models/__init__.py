"""What happens at expos: the expos themselves, who exhibited, forums, speakers, deals, awards,
figures. One module a topic; the source documents every fact is cited from are core's
(core.provenance).

This app builds on `exhibitors`; `exhibitors` never imports from here.
"""

from core.changelog.log import track

from .expos import Expo, ExpoSeries
from .facetcounts import ExpoExhibitorCount, YearExhibitorCount
from .forums import Appearance, Forum, Speaker, Statement
from .holdings import Area, Figure, Participation
from .imports import ImportOutcome, ImportRun
from .links import DealParty, DealSector, ExpoOrganiser, ExpoSector, ForumOrganiser, ForumPartner
from .organisations import Organisation
from .outcomes import Award, Deal, Highlight

# Every write to these tables is recorded by the database (core.changelog.log).
for _model in (
    ExpoSeries,
    Expo,
    Figure,
    Area,
    Participation,
    Organisation,
    Forum,
    Speaker,
    Appearance,
    Statement,
    Deal,
    Award,
    Highlight,
):
    track(_model)
# The links are models of their own (a sector, organisation or exhibitor they name is
# protected), each part of its owner: the change feed reports a link as a change of the expo,
# forum or deal.
track(ExpoSector, owner="expo")
track(ExpoOrganiser, owner="expo")
track(ForumOrganiser, owner="forum")
track(ForumPartner, owner="forum")
track(DealSector, owner="deal")
track(DealParty, owner="deal")

__all__ = [
    "Appearance",
    "Area",
    "Award",
    "Deal",
    "DealParty",
    "DealSector",
    "Expo",
    "ExpoExhibitorCount",
    "ExpoOrganiser",
    "ExpoSector",
    "ExpoSeries",
    "Figure",
    "Forum",
    "ForumOrganiser",
    "ForumPartner",
    "Highlight",
    "ImportOutcome",
    "ImportRun",
    "Organisation",
    "Participation",
    "Speaker",
    "Statement",
    "YearExhibitorCount",
]
