"""The product's URLs plus a baseline for the benchmark (DJANGO_ROOT_URLCONF=bench.urls).

`/bench/json/<size>/` answers a JsonResponse of about `size` bytes with no database work and
no DRF: what Django itself costs for a body that big, through the same middleware.

`/bench/peer/api/exhibitors/` and `/bench/peer/exhibitors/` are the peers of bench.peers: the
API list and the exhibitor page as a plain DRF viewset and a plain ListView would serve them.
"""

from django.http import JsonResponse
from django.urls import path

from bench.peers import PeerExhibitorListView, PeerExhibitorViewSet
from config.urls import handler404
from config.urls import urlpatterns as product_urlpatterns

MAX_SIZE = 10 * 1024 * 1024
ENVELOPE = len('{"data": ""}')


def json_of_size(request, size):
    return JsonResponse({"data": "x" * max(min(size, MAX_SIZE) - ENVELOPE, 0)})


urlpatterns = [
    path("bench/json/<int:size>/", json_of_size),
    path(
        "bench/peer/api/exhibitors/",
        PeerExhibitorViewSet.as_view({"get": "list"}),
        name="bench-peer-api-list",
    ),
    path("bench/peer/exhibitors/", PeerExhibitorListView.as_view(), name="bench-peer-page"),
    *product_urlpatterns,
]

__all__ = ["handler404", "urlpatterns"]
