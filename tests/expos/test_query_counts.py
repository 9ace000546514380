"""Every list and detail page runs the same number of queries for 1 row as for several."""

import pytest

from tests import factories as f
from tests.pages import queries_of

pytestmark = pytest.mark.django_db


def make_world():
    """One exhibitor at one expo, with everything that hangs off them."""
    exhibitor = f.ExhibitorFactory()
    exhibitor.sectors.add(f.SectorFactory())
    expo = f.ExpoFactory()
    add_to_expo(exhibitor, expo)
    return exhibitor, expo


def add_to_expo(exhibitor, expo):
    f.ParticipationFactory(exhibitor=exhibitor, expo=expo, area=f.AreaFactory(expo=expo))
    forum = f.ForumFactory(expo=expo)
    forum.organisers.add(f.OrganisationFactory())
    speaker = f.SpeakerFactory(exhibitor=exhibitor)
    f.AppearanceFactory(speaker=speaker, forum=forum)
    f.StatementFactory(speaker=speaker, expo=expo)
    deal = f.DealFactory(expo=expo)
    deal.sectors.add(*exhibitor.sectors.all())
    deal.parties.add(exhibitor)
    f.FigureFactory(expo=expo)
    f.AwardFactory(expo=expo)
    f.HighlightFactory(expo=expo, forum=forum, exhibitor=exhibitor)
    f.CitationFactory(record=exhibitor)
    f.CitationFactory(record=expo)
    return forum, speaker, deal


# With facet counts, charts and row estimates cached: queries_of's first request fills the
# cache, so a page with facets or charts runs one query for the data version in their place.
# A page of a few rows is read before anything is counted, and coming back short it needs no
# count (core.lists.counting.CappedPaginator): the speakers' page is its one query. A download is
# one statement, the COPY that writes it (related rows are subqueries of it).
LIST_PAGES = {
    "/": 2,
    "/exhibitors/": 3,
    "/exhibitors/export.csv": 1,
    "/expos/": 2,
    "/expos/export.csv": 1,
    "/forums/": 5,
    "/forums/export.csv": 1,
    "/speakers/": 1,
    "/speakers/export.csv": 1,
    "/deals/": 4,
    "/deals/export.csv": 1,
    "/expos/calendar.ics": 1,
    "/forums/calendar.ics": 1,
}


@pytest.mark.parametrize(("url", "expected"), LIST_PAGES.items())
def test_list_page_queries_do_not_grow_with_rows(client, url, expected):
    make_world()
    assert len(queries_of(client, url)) == expected
    make_world()
    make_world()
    assert len(queries_of(client, url)) == expected


def test_detail_pages_queries_do_not_grow_with_related_rows(client):
    exhibitor, expo = make_world()
    forum, speaker, deal = (
        expo.forums.get(),
        exhibitor.speakers.get(),
        expo.deals.get(),
    )
    pages = {
        exhibitor.get_absolute_url(): 9,
        # One more than the list's pages: how many exhibitors the expo and the expos held within
        # it list, for the figures that count them.
        expo.get_absolute_url(): 22,
        # The expo, then the COPY.
        f"/expos/{expo.slug}/exhibitors.csv": 2,
        f"/expos/{expo.slug}/calendar.ics": 2,
        f"/forums/{forum.slug}/calendar.ics": 1,
        forum.get_absolute_url(): 6,
        speaker.get_absolute_url(): 4,
        deal.get_absolute_url(): 4,
    }
    before = {url: len(queries_of(client, url)) for url in pages}
    # Two more of everything around the same records.
    for _ in range(2):
        other_expo = f.ExpoFactory()
        add_to_expo(exhibitor, other_expo)
        other = f.ExhibitorFactory()
        other.sectors.add(f.SectorFactory())
        add_to_expo(other, expo)
        f.AppearanceFactory(forum=forum)
        f.StatementFactory(speaker=speaker, expo=expo)
        f.AppearanceFactory(speaker=speaker)
        deal.sectors.add(f.SectorFactory())
        deal.parties.add(other)
        f.CitationFactory(record=deal)
    after = {url: len(queries_of(client, url)) for url in pages}
    assert before == pages
    assert after == pages


def test_search_queries_do_not_grow_with_results(client):
    def smart_records():
        expo = f.ExpoFactory(name="Smart Expo")
        f.ExhibitorFactory(name="Smart Exhibitor").sectors.add(f.SectorFactory())
        forum = f.ForumFactory(title="Smart Forum", expo=expo)
        f.AppearanceFactory(forum=forum, speaker=f.SpeakerFactory(name="Smart Speaker"))
        f.DealFactory(title="Smart Deal", expo=expo).sectors.add(f.SectorFactory())

    # Each of the five lists finds its window (core.lists.searchwindow.search_window) and reads its
    # rows: for the records with the words, a savepoint, its time limit, the ids, the limit put
    # back, the release; for those with a name like them, the same with the plan's settings
    # (the indexes only) and their reset besides.
    expected = 5 * (5 + 6 + 1)
    smart_records()
    assert len(queries_of(client, "/search/?q=smart")) == expected
    smart_records()
    smart_records()
    assert len(queries_of(client, "/search/?q=smart")) == expected
