"""How the history and "Recover deleted" pages name records and times: a link or a
participation by the records it joins (never "sector of an exhibitor #12"), every time to the
second, in the page's language and time zone."""

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.changelog.log import act_as
from core.models import ChangeSet
from exhibitors.models import Exhibitor, Sector
from expos.models import Participation

from .history_helpers import admin_url

pytestmark = pytest.mark.usefixtures("seeded")

SLUG = "china-belarus-industrial-park-development-company"


def delete_exhibitor(slug=SLUG):
    exhibitor = Exhibitor.objects.get(slug=slug)
    links = [str(link) for link in exhibitor.sector_links.select_related("exhibitor", "sector")]
    taking_part = [str(p) for p in Participation.objects.filter(exhibitor=exhibitor)]
    with transaction.atomic():
        act_as(get_user_model().objects.get(username="admin"))
        Participation.objects.filter(exhibitor=exhibitor).delete()
        exhibitor.delete()
    return links, taking_part


def seconds(at, language="en"):
    """The time of `at` as the pages show it, to the second."""
    local = timezone.localtime(at)
    if language == "es":
        return f"a las {local:%H:%M:%S} UTC"
    return f"{local:%H:%M:%S} UTC"


def test_recovery_names_links_and_participations_by_what_they_join(admin_client):
    links, taking_part = delete_exhibitor()
    assert links == [
        "China-Belarus Industrial Park Development Company: Goods transport",
        "China-Belarus Industrial Park Development Company: Robotics",
    ]
    listing = admin_client.get(admin_url(Exhibitor, "recoverlist"))
    [row] = listing.context["records"]
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(row["url"])
    page = response.content.decode()
    for name in links + taking_part:
        assert name in page
    assert "sector of an exhibitor #" not in page
    assert "participation #" not in page
    groups = {str(group["label"]): group["names"] for group in response.context["groups"]}
    assert groups["sectors of exhibitors"] == links
    assert groups["participation"] == taking_part
    # Named from the plan and one query per related model, not one per record.
    assert len(queries) < 40


def test_recovery_names_are_spanish_on_the_spanish_admin(admin_client):
    delete_exhibitor()
    listing = admin_client.get(admin_url(Exhibitor, "recoverlist"), HTTP_ACCEPT_LANGUAGE="es")
    [row] = listing.context["records"]
    page = admin_client.get(row["url"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "2 sectores de expositores:" in page
    robotics = Sector.objects.get(name_en="Robotics").name_es
    assert robotics and robotics != "Robotics"
    assert f"China-Belarus Industrial Park Development Company: {robotics}" in page


@pytest.mark.parametrize("language", ["en", "es"])
def test_recover_list_shows_the_time_of_the_delete_to_the_second(admin_client, language):
    delete_exhibitor()
    listing = admin_client.get(admin_url(Exhibitor, "recoverlist"), HTTP_ACCEPT_LANGUAGE=language)
    [row] = listing.context["records"]
    page = listing.content.decode()
    assert seconds(row["record"].at, language) in page
    assert f'<time datetime="{timezone.localtime(row["record"].at).isoformat()}">' in page


@pytest.mark.parametrize(
    ("language", "date"),
    [("en", re.compile(r"\w{3}\.? \d{1,2}, \d{4}, ")), ("es", re.compile(r"\d{1,2} de \w+ de"))],
)
def test_history_and_compare_show_times_to_the_second(admin_client, language, date):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    Exhibitor.objects.filter(pk=dahua.pk).update(name_en="Dahua")
    response = admin_client.get(
        admin_url(Exhibitor, "history", dahua.pk), HTTP_ACCEPT_LANGUAGE=language
    )
    page = response.content.decode()
    versions = [row["version"] for row in response.context["rows"]]
    assert len(versions) == 2
    for version in versions:
        shown = seconds(version.at, language)
        assert shown in page
        assert date.search(page.split(shown)[0][-40:])
    compare = admin_client.get(
        response.context["rows"][0]["compare_url"], HTTP_ACCEPT_LANGUAGE=language
    )
    text = compare.content.decode()
    for version in versions:
        assert seconds(version.at, language) in text


def test_djangos_own_history_pages_show_seconds_too(admin_client):
    user = get_user_model().objects.get(username="admin")
    entry = LogEntry.objects.log_actions(
        user.pk, [user], CHANGE, change_message="Changed the e-mail.", single_object=True
    )
    page = admin_client.get(f"/admin/auth/user/{user.pk}/history/").content.decode()
    assert seconds(entry.action_time) in page


def test_change_sets_and_history_times_are_the_log_times(admin_client):
    """The time shown is the change set's own (the transaction's), not the page's now."""
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    response = admin_client.get(admin_url(Exhibitor, "history", dahua.pk))
    [row] = response.context["rows"]
    assert row["version"].at == ChangeSet.objects.get(xid=row["version"].xid).at
