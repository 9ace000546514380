"""API v1: one router for both apps, the OpenAPI schema and its offline documentation."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from core.api.changes import ChangesView
from expos.api import views as expos

from .docs import APIDocsView, APIRootView, SchemaView

router = DefaultRouter()
router.APIRootView = APIRootView
router.register("expos", expos.ExpoViewSet, basename="expo")
router.register("exhibitors", expos.ExhibitorViewSet, basename="exhibitor")
router.register("participations", expos.ParticipationViewSet, basename="participation")
router.register("forums", expos.ForumViewSet, basename="forum")
router.register("speakers", expos.SpeakerViewSet, basename="speaker")
router.register("appearances", expos.AppearanceViewSet, basename="appearance")
router.register("statements", expos.StatementViewSet, basename="statement")
router.register("deals", expos.DealViewSet, basename="deal")
router.register("awards", expos.AwardViewSet, basename="award")
router.register("figures", expos.FigureViewSet, basename="figure")
router.register("areas", expos.AreaViewSet, basename="area")
router.register("highlights", expos.HighlightViewSet, basename="highlight")
router.register("sectors", expos.SectorViewSet, basename="sector")
router.register("series", expos.ExpoSeriesViewSet, basename="series")
router.register("organisations", expos.OrganisationViewSet, basename="organisation")
router.register("sources", expos.SourceViewSet, basename="source")
router.register("citations", expos.CitationViewSet, basename="citation")

# The change feed names each record by the list and lookup its type has here.
ChangesView.routes = {
    viewset.queryset.model._meta.label_lower: (basename, viewset.lookup_field)
    for _, viewset, basename in router.registry
}

urlpatterns = [
    path(
        "v1/",
        include(
            ([*router.urls, path("changes/", ChangesView.as_view(), name="changes")], "api"),
            namespace="api",
        ),
    ),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", APIDocsView.as_view(url_name="schema"), name="api-docs"),
]
