"""The peers: what a Django developer would otherwise build for the same three jobs, so that
`make bench` can print each of the directory's figures as "this ÷ peer".

- The API list as a plain DRF ModelViewSet: a ModelSerializer (with django-countries'
  CountryFieldMixin, as that library documents for DRF) with the fields of
  expos.api.serializers.ExhibitorSerializer (the record's URL a HyperlinkedIdentityField,
  the sectors a nested ModelSerializer of slug, name and URL, as the real API shows them), DRF's
  PageNumberPagination (an exact count) and DjangoFilterBackend over the same FilterSet
  (expos.filtersets.ExhibitorFilterSet) and the same queryset (exhibitors.selectors).
- The exhibitor page as a plain ListView with Django's Paginator (an exact count) over the
  same FilterSet, rendering bench/templates/bench/peer_exhibitor_list.html: the project's own
  base page and its exhibitor table (the same rows and markup as the real page), with
  previous and next links; no facets and no filter form, so the peer does less than the page.
- The import of a directory file (expos.importing.reading.COLUMNS) with django-import-export,
  written as its documentation has it for models that relate: one ModelResource a model, each
  keyed by its natural key (import_id_fields), the relations through ForeignKeyWidget and
  ManyToManyWidget by slug, run in dependency order over the same file.

Nothing here is product code: bench.urls serves the two views under /bench/peer/ only while the
benchmark runs (DJANGO_ROOT_URLCONF=bench.urls).
"""

import functools
from pathlib import Path

import tablib
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template import engines
from django.views.generic import ListView
from django_countries.serializers import CountryFieldMixin
from django_filters.rest_framework import DjangoFilterBackend
from import_export import fields, resources, widgets
from rest_framework import pagination, renderers, serializers, viewsets

from exhibitors.models import Exhibitor, Sector
from exhibitors.selectors import exhibitor_list
from expos.filtersets import ExhibitorFilterSet
from expos.models import Expo, Participation

TEMPLATE = Path(__file__).resolve().parent / "templates" / "bench" / "peer_exhibitor_list.html"
LANGUAGES = ("en", "es")


def with_languages(*names):
    return [field for name in names for field in (name, *(f"{name}_{c}" for c in LANGUAGES))]


# --- The API list ----------------------------------------------------------------------------


class PeerSectorSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:sector-detail", lookup_field="slug")

    class Meta:
        model = Sector
        fields = ["id", "slug", "name", "url"]


# CountryFieldMixin: django-countries' own answer for DRF (documented with it), without which
# a ModelSerializer cannot render a blank country.
class PeerExhibitorSerializer(CountryFieldMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:exhibitor-detail", lookup_field="slug"
    )
    html_url = serializers.SerializerMethodField()
    country_name = serializers.CharField(source="country.name", read_only=True)
    sectors = PeerSectorSerializer(many=True, read_only=True)

    class Meta:
        model = Exhibitor
        fields = [
            "url", "html_url", "id", "slug", *with_languages("name"), "country", "country_name",
            *with_languages("region", "city"), "sectors", *with_languages("description"),
            "website", "synthetic", "created", "updated",
        ]  # fmt: skip

    def get_html_url(self, exhibitor):
        return self.context["request"].build_absolute_uri(exhibitor.get_absolute_url())

    def to_representation(self, instance):
        """The API's convention for a missing value: null, never ""."""
        data = super().to_representation(instance)
        return {name: None if value == "" else value for name, value in data.items()}


class PeerPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class PeerExhibitorViewSet(viewsets.ModelViewSet):
    """Read through list() only (bench.urls routes GET); authentication, permissions and the
    throttle are the project's REST_FRAMEWORK defaults, as they would be for any view."""

    queryset = exhibitor_list()
    serializer_class = PeerExhibitorSerializer
    pagination_class = PeerPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ExhibitorFilterSet
    renderer_classes = [renderers.JSONRenderer]
    lookup_field = "slug"


# --- The exhibitor page ----------------------------------------------------------------------


@functools.cache
def peer_template():
    """The page's template, compiled once by the project's engine (its loaders find the base
    page and the exhibitor table it includes; bench/ is not an app with a templates folder)."""
    return engines["django"].from_string(TEMPLATE.read_text())


class PeerExhibitorListView(ListView):
    paginate_by = 25  # as the real page
    paginator_class = Paginator

    def get_queryset(self):
        self.filterset = ExhibitorFilterSet(
            self.request.GET, queryset=exhibitor_list(), request=self.request
        )
        if not self.filterset.is_valid():
            return Exhibitor.objects.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Exhibitors", errors={}, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        return HttpResponse(peer_template().render(context, self.request))


# --- The import ------------------------------------------------------------------------------


class SkipRowsWithout:
    """Skip the rows whose `column` is blank (a row of an exhibitor at no expo)."""

    required_column = ""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not (row.get(self.required_column) or "").strip():
            return True
        return super().skip_row(instance, original, row, import_validation_errors)


class ExpoResource(SkipRowsWithout, resources.ModelResource):
    required_column = "expo"
    slug = fields.Field(attribute="slug", column_name="expo")
    name = fields.Field(attribute="name", column_name="expo_name")
    edition_year = fields.Field(
        attribute="edition_year", column_name="expo_year", widget=widgets.IntegerWidget()
    )
    country = fields.Field(attribute="country", column_name="expo_country")
    city = fields.Field(attribute="city", column_name="expo_city")
    start_date = fields.Field(
        attribute="start_date", column_name="expo_start", widget=widgets.DateWidget("%Y-%m-%d")
    )
    end_date = fields.Field(
        attribute="end_date", column_name="expo_end", widget=widgets.DateWidget("%Y-%m-%d")
    )

    class Meta:
        model = Expo
        fields = ["slug", "name", "edition_year", "country", "city", "start_date", "end_date"]
        import_id_fields = ["slug"]
        skip_unchanged = True


class ExhibitorResource(resources.ModelResource):
    sectors = fields.Field(
        attribute="sectors",
        column_name="sectors",
        widget=widgets.ManyToManyWidget(Sector, field="slug", separator=";"),
    )

    class Meta:
        model = Exhibitor
        fields = ["slug", "name", "country", "region", "city", "sectors", "website", "description"]
        import_id_fields = ["slug"]
        skip_unchanged = True


class ParticipationResource(SkipRowsWithout, resources.ModelResource):
    required_column = "expo"
    exhibitor = fields.Field(
        attribute="exhibitor",
        column_name="slug",
        widget=widgets.ForeignKeyWidget(Exhibitor, field="slug"),
    )
    expo = fields.Field(
        attribute="expo", column_name="expo", widget=widgets.ForeignKeyWidget(Expo, field="slug")
    )

    class Meta:
        model = Participation
        fields = ["exhibitor", "expo", "showcase"]
        import_id_fields = ["exhibitor", "expo"]
        skip_unchanged = True


RESOURCES = (ExpoResource, ExhibitorResource, ParticipationResource)


def read_dataset(path, limit=None):
    """The file as a tablib Dataset (all text), its first `limit` data rows if given."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="csv")
    if limit is not None and len(dataset) > limit:
        dataset = tablib.Dataset(*dataset[:limit], headers=dataset.headers)
    return dataset


def import_file(path, limit=None):
    """Import the file with each Resource in turn; return {model name: counts of the result}.

    Errors raise (raise_errors=True): a peer that skips rows would be measured doing less.
    """
    dataset = read_dataset(path, limit)
    totals = {}
    for resource_class in RESOURCES:
        result = resource_class().import_data(
            dataset, dry_run=False, raise_errors=True, use_transactions=True
        )
        totals[resource_class.Meta.model._meta.model_name] = dict(result.totals)
    return {"rows": len(dataset), "totals": totals}
