from django.db.models import Prefetch

from core.api.filtering import FilterAliasMixin
from core.api.viewsets import DirectoryViewSet
from core.provenance import Citation, Source
from exhibitors import filtersets as exhibitor_filtersets
from exhibitors.models import Sector
from exhibitors.selectors import exhibitor_list
from expos import filtersets, models, selectors

from . import provenance
from . import serializers as s

# The same reads as the pages': ?expand= nests the records their selectors fetch.
PARTICIPATIONS = Prefetch("participations", queryset=selectors.participations())


class ExhibitorViewSet(DirectoryViewSet):
    """Exhibitors; `?expand=participations` nests the expos each exhibited at."""

    queryset = exhibitor_list()
    serializer_class = s.ExhibitorSerializer
    filterset_class = filtersets.ExhibitorFilterSet
    expandable = {"participations": [PARTICIPATIONS]}


class SectorViewSet(DirectoryViewSet):
    queryset = Sector.objects.all()
    serializer_class = s.SectorSerializer
    filterset_class = exhibitor_filtersets.SectorFilterSet


class ExpoViewSet(FilterAliasMixin, DirectoryViewSet):
    """Expos; `?format=online` is still the attendance filter (its former name)."""

    queryset = selectors.expos().prefetch_related("organisers", "sectors")
    serializer_class = s.ExpoSerializer
    filterset_class = filtersets.ExpoFilterSet
    expandable = {
        "participations": [PARTICIPATIONS],
        "forums": [Prefetch("forums", queryset=selectors.forums())],
        "deals": [Prefetch("deals", queryset=selectors.deals())],
    }


class ExpoSeriesViewSet(DirectoryViewSet):
    queryset = models.ExpoSeries.objects.all()
    serializer_class = s.ExpoSeriesSerializer
    filterset_class = filtersets.ExpoSeriesFilterSet


class OrganisationViewSet(DirectoryViewSet):
    queryset = models.Organisation.objects.all()
    serializer_class = s.OrganisationSerializer
    filterset_class = filtersets.OrganisationFilterSet


class ParticipationViewSet(DirectoryViewSet):
    queryset = selectors.participations()
    serializer_class = s.ParticipationSerializer
    filterset_class = filtersets.ParticipationFilterSet
    lookup_field = "pk"


class ForumViewSet(DirectoryViewSet):
    queryset = selectors.forums()
    serializer_class = s.ForumSerializer
    filterset_class = filtersets.ForumFilterSet


class SpeakerViewSet(DirectoryViewSet):
    queryset = selectors.speakers()
    serializer_class = s.SpeakerSerializer
    filterset_class = filtersets.SpeakerFilterSet


class AppearanceViewSet(DirectoryViewSet):
    queryset = models.Appearance.objects.select_related("speaker", "forum")
    serializer_class = s.AppearanceSerializer
    filterset_class = filtersets.AppearanceFilterSet
    lookup_field = "pk"


class StatementViewSet(DirectoryViewSet):
    queryset = models.Statement.objects.select_related("speaker", "expo")
    serializer_class = s.StatementSerializer
    filterset_class = filtersets.StatementFilterSet
    lookup_field = "pk"


class DealViewSet(DirectoryViewSet):
    queryset = selectors.deals()
    serializer_class = s.DealSerializer
    filterset_class = filtersets.DealFilterSet


class AwardViewSet(DirectoryViewSet):
    queryset = models.Award.objects.select_related("expo", "recipient")
    serializer_class = s.AwardSerializer
    filterset_class = filtersets.AwardFilterSet
    lookup_field = "pk"


class FigureViewSet(DirectoryViewSet):
    queryset = models.Figure.objects.select_related("expo", "series")
    serializer_class = s.FigureSerializer
    filterset_class = filtersets.FigureFilterSet
    lookup_field = "pk"


class AreaViewSet(DirectoryViewSet):
    queryset = models.Area.objects.select_related("expo", "sector")
    serializer_class = s.AreaSerializer
    filterset_class = filtersets.AreaFilterSet
    lookup_field = "pk"


class HighlightViewSet(DirectoryViewSet):
    queryset = models.Highlight.objects.select_related("expo", "forum", "exhibitor")
    serializer_class = s.HighlightSerializer
    filterset_class = filtersets.HighlightFilterSet
    lookup_field = "pk"


class SourceViewSet(DirectoryViewSet):
    queryset = Source.objects.all()
    serializer_class = provenance.SourceSerializer
    filterset_class = filtersets.SourceFilterSet


class CitationViewSet(DirectoryViewSet):
    queryset = Citation.objects.select_related("source", "content_type")
    serializer_class = provenance.CitationSerializer
    filterset_class = filtersets.CitationFilterSet
    lookup_field = "pk"
