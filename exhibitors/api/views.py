from core.api.viewsets import DirectoryViewSet
from exhibitors.filtersets import ExhibitorFilterSet, SectorFilterSet
from exhibitors.models import Sector
from exhibitors.selectors import exhibitor_list

from .serializers import ExhibitorSerializer, SectorSerializer


class SectorViewSet(DirectoryViewSet):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    filterset_class = SectorFilterSet


class ExhibitorViewSet(DirectoryViewSet):
    queryset = exhibitor_list()
    serializer_class = ExhibitorSerializer
    filterset_class = ExhibitorFilterSet
