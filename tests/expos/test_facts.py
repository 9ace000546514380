"""How the pages show facts: each quote with its document, a fact without a source marked so,
and numbers, dates and money in the page's language, in English and in Spanish."""

import re

import pytest

from exhibitors.models import Exhibitor
from expos.models import Deal, Expo, Forum, Speaker
from tests import factories as f
from tests.pages import page
from tests.paths import ROOT

NB = "\xa0"
SPANISH_TITLE = (
    "Exposición de Ciudades Inteligentes de Zhejiang para Servicios Comerciales (España) 2023"
)
SCEWC = "/expos/smart-city-expo-world-congress-2023/"
SCE = "/expos/smart-china-expo-2021/"
DEAL = "/deals/smart-china-expo-2021-major-projects/"
DAHUA = "/exhibitors/zhejiang-dahua-technology/"


def disclosures(html):
    return re.findall(r'<details class="sources">.*?</details>', html, re.S)


def own_words(html):
    """The text of the page in its own words: what it quotes from a document, the markup and
    the addresses (a slug such as `video-iot`) left out."""
    html = re.sub(r"<blockquote\b.*?</blockquote>", "", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def detail_pages():
    records = [
        *Exhibitor.objects.all(),
        *Expo.objects.all(),
        *Forum.objects.all(),
        *Speaker.objects.all(),
        *Deal.objects.all(),
    ]
    return [record.get_absolute_url() for record in records]


# --- Source disclosures ----------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_a_quote_is_marked_once_with_its_document_and_its_language(client):
    html = page(client, SCEWC)
    quote = (
        '<blockquote lang="es">Esta edición de SCEWC atrajo a más de 1,000 expositores de más de '
        "140 países y 800 regiones, incluyendo instituciones reconocidas a nivel internacional "
        "como Microsoft, Dell, Mastercard, entre otras.</blockquote>\n"
        f'      <figcaption class="cite-meta">— <span lang="es">{SPANISH_TITLE}</span> '
        '<span class="language-note">(in Spanish)</span></figcaption>'
    )
    assert quote in html
    for block in disclosures(html):
        assert "<li" not in block and "<ul" not in block  # no list bullet besides the quote bar
        assert "“" not in block  # nor quotation marks
    assert "000_72fdff20c7f3af27.txt" not in html
    # In Spanish, the same document needs no note.
    spanish = page(client, "/es" + SCEWC)
    assert (
        f'<figcaption class="cite-meta">— <span lang="es">{SPANISH_TITLE}</span></figcaption>'
        in spanish
    )
    assert "language-note" not in spanish


@pytest.mark.usefixtures("seeded")
def test_a_document_shows_its_publisher_author_and_date_in_the_page_language(client):
    document = (
        '<figcaption class="cite-meta">— <span lang="en">Smart China Expo 2021 in Chongqing'
        "</span>, People’s Daily (Wang Binlai, Liu Xinwu), "
    )
    english = page(client, DEAL)
    assert document + '<time datetime="2021-09-04">Sept. 4, 2021</time></figcaption>' in english
    spanish = page(client, "/es" + DEAL)
    assert (
        document + '<time datetime="2021-09-04">4 de septiembre de 2021</time> '
        '<span class="language-note">(en inglés)</span></figcaption>'
    ) in spanish
    assert "004_a98853f0a7d21702.txt" not in english + spanish


@pytest.mark.usefixtures("seeded")
def test_no_page_shows_an_internal_file_name(client):
    for url in detail_pages():
        for prefix in ("", "/es"):
            html = page(client, prefix + url)
            assert ".txt" not in html, prefix + url


@pytest.mark.usefixtures("seeded")
def test_the_exhibitor_page_lists_its_documents_without_file_names(client):
    html = page(client, DAHUA)
    assert (
        f'<li><span lang="es">{SPANISH_TITLE}</span> '
        '<span class="language-note">(in Spanish)</span></li>'
    ) in html


# --- Facts with no source --------------------------------------------------------------------


def uncited_world():
    """Records as an editor, the API or an import adds them: with no citation."""
    exhibitor = f.ExhibitorFactory(slug="added")
    expo = f.ExpoFactory(slug="added-expo")
    area = f.AreaFactory(expo=expo)
    f.ParticipationFactory(exhibitor=exhibitor, expo=expo, area=area)
    forum = f.ForumFactory(expo=expo, slug="added-forum")
    speaker = f.SpeakerFactory(exhibitor=exhibitor, slug="added-speaker")
    f.AppearanceFactory(speaker=speaker, forum=forum)
    f.StatementFactory(speaker=speaker, expo=expo)
    deal = f.DealFactory(expo=expo, slug="added-deal")
    f.FigureFactory(expo=expo)
    f.AwardFactory(expo=expo)
    f.HighlightFactory(expo=expo, forum=forum)
    return exhibitor, expo, forum, speaker, deal


MARKER = {
    "en": '<p class="no-source">No source yet</p>',
    "es": '<p class="no-source">Sin fuente aún</p>',
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_fact_without_a_source_is_marked(client, language):
    exhibitor, expo, forum, speaker, deal = uncited_world()
    prefix = "" if language == "en" else "/es"
    # Each record whose facts the page shows: the record, and those shown with it.
    expected = {
        # the exhibitor, its participation, its speaker's statement, its documents section
        exhibitor.get_absolute_url(): 4,
        # the expo, its figure, area, statement, deal, award and highlight
        expo.get_absolute_url(): 7,
        # the forum, its appearance and its highlight
        forum.get_absolute_url(): 3,
        # the speaker, its appearance and its statement
        speaker.get_absolute_url(): 3,
        deal.get_absolute_url(): 1,
    }
    for url, count in expected.items():
        html = page(client, prefix + url)
        assert html.count(MARKER[language]) == count, url
        assert '<details class="sources">' not in html


@pytest.mark.django_db
def test_a_cited_record_carries_no_marker(client):
    deal = uncited_world()[-1]
    f.CitationFactory(record=deal)
    html = page(client, deal.get_absolute_url())
    assert MARKER["en"] not in html
    assert '<blockquote lang="en">It had 10 exhibitors.</blockquote>' in html


@pytest.mark.django_db
def test_the_footer_claims_only_what_the_pages_do(client):
    assert (
        "<p>On the page of each record, every fact cites the sentence of the source document it "
        "was taken from, or is marked “no source yet”.</p>"
    ) in page(client, "/")
    assert (
        "<p>En la página de cada registro, cada dato cita la frase del documento fuente de la que "
        "se tomó, o lleva la marca «sin fuente aún».</p>"
    ) in page(client, "/es/")


# --- Numbers, dates and words in the page's language -----------------------------------------


@pytest.mark.usefixtures("seeded")
def test_one_number_is_written_one_way_on_a_spanish_page(client):
    html = page(client, "/es" + SCEWC)
    assert "<strong>más de 1000</strong> expositores" in html
    assert "atrajo a más de 1000 expositores de más de 140 países" in html
    english = page(client, SCEWC)
    assert "<strong>more than 1,000</strong> exhibitors" in english
    assert "attracted more than 1,000 exhibitors" in english


@pytest.mark.usefixtures("seeded")
def test_spanish_pages_write_numbers_and_words_the_spanish_way(client):
    for url in ["/", "/deals/", "/exhibitors/", "/expos/", *detail_pages()]:
        html = own_words(page(client, "/es" + url))
        assert not re.search(r"\d,\d{3}(?!\d)", html), url  # English grouping
        assert not re.search(r"\d\.\d{3}(?!\d)", html), url  # grouping by points
        assert not re.search(rf"(?<![\d{NB}])\d{NB}\d{{3}}(?![\d{NB}])", html), url  # 1 000
        assert not re.search(r"\bvideo\b", html), url  # vídeo, as in Spain


@pytest.mark.usefixtures("seeded")
def test_dahua_is_spelt_one_way_in_spanish(client):
    html = page(client, "/es" + DAHUA)
    assert "IoT con vídeo</a>" in html
    assert "Empresa de Zhejiang que presenta soluciones de IoT con vídeo como núcleo" in html
    assert "<p>Soluciones de IoT con vídeo como núcleo, líderes a nivel mundial.</p>" in html


@pytest.mark.usefixtures("seeded")
def test_areas_dates_and_counts_follow_the_language(client):
    english, spanish = page(client, SCE), page(client, "/es" + SCE)
    assert f"20,000{NB}m²" not in english  # the template writes &nbsp;
    assert "20,000&nbsp;m²" in english and f"20{NB}000&nbsp;m²" in spanish
    assert f"de 20{NB}000 m² para nuevos productos" in spanish
    assert '<time datetime="2021-08-23">Aug. 23, 2021</time>' in english
    assert '<time datetime="2021-08-23">23 de agosto de 2021</time>' in spanish


@pytest.mark.django_db
def test_large_counts_are_grouped_in_the_page_language(client):
    f.DealFactory(project_count=12_500)
    assert '<td class="num">12,500</td>' in page(client, "/deals/")
    assert f'<td class="num">12{NB}500</td>' in page(client, "/es/deals/")


# --- Money -----------------------------------------------------------------------------------

CNY = {"en": f"CNY{NB}252.4{NB}billion", "es": f"252,4{NB}mil{NB}millones{NB}de{NB}CNY"}
USD = {"en": f"USD{NB}39{NB}billion", "es": f"39{NB}mil{NB}millones{NB}de{NB}USD"}


def money(text):
    return f'<span class="money">{text}</span>'


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("language", ["en", "es"])
def test_money_reads_one_way_wherever_it_is_shown(client, language):
    prefix = "" if language == "en" else "/es"
    cny, usd = money(CNY[language]), money(USD[language])
    listing = page(client, prefix + "/deals/")
    assert f'<td class="num">{cny}<br><span class="muted">{usd}</span></td>' in listing
    detail = page(client, prefix + DEAL)
    assert f"<dd>{cny}</dd>" in detail and f"<dd>{usd}</dd>" in detail
    expo = page(client, prefix + SCE)
    assert f": {cny} ({usd})</p>" in expo
    assert f'<td class="value">{USD[language]}</td>' in page(client, prefix + "/")
    for html in (listing, detail, expo):
        assert "US$" not in html and "252,400,000,000" not in html


def test_money_does_not_wrap():
    css = (ROOT / "static/css/site.css").read_text(encoding="utf-8")
    assert ".money { white-space: nowrap; }" in css
    assert (
        ".bar-chart .value { text-align: right; padding-left: .5rem; white-space: nowrap; }" in css
    )
