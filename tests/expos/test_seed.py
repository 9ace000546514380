"""The seed holds the facts of the two source documents, each cited, in two languages."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.utils import translation

from core.history.deletion import is_plain_link
from core.lists.counttables import CountModel
from core.provenance import Citation, Source, normalise_space
from exhibitors.models import Exhibitor, Sector
from expos.models import (
    Appearance,
    Area,
    Award,
    Deal,
    Expo,
    Figure,
    Forum,
    ImportRun,
    Organisation,
    Participation,
    Speaker,
    Statement,
)

pytestmark = pytest.mark.usefixtures("seeded")

SEEDED_MODELS = [
    model
    for app in ("exhibitors", "expos")
    for model in apps.get_app_config(app).get_models()
    # ImportRun is the import history; count tables are counts of the records, not records;
    # a sector link is a row of a relation, cited with its record.
    if model not in (Source, Citation, ImportRun)
    and not issubclass(model, CountModel)
    and not is_plain_link(model)
]


def test_seed_sources_describe_both_documents():
    spanish = Source.objects.get(file_name="000_72fdff20c7f3af27.txt")
    english = Source.objects.get(file_name="004_a98853f0a7d21702.txt")
    assert spanish.language == "es"
    assert spanish.published_on is None  # the document carries no date
    assert english.language == "en"
    assert english.publisher == "People’s Daily"
    assert english.author == "Wang Binlai, Liu Xinwu"
    assert english.published_on == datetime.date(2021, 9, 4)
    assert english.text.startswith("date 2021-09-04")


def test_seed_zhejiang_exhibition_facts():
    expo = Expo.objects.get(slug="zhejiang-smart-city-exhibition-spain-2023")
    assert expo.name_es == (
        "Exposición de Ciudades Inteligentes de Zhejiang para Servicios Comerciales (España) 2023"
    )
    assert (expo.start_date, expo.end_date) == (
        datetime.date(2023, 11, 7),
        datetime.date(2023, 11, 9),
    )
    assert expo.timezone == "Europe/Madrid"
    assert expo.venue_es == "Centro de Convenciones y Exposiciones de Barcelona"
    assert (expo.city_en, expo.country.code) == ("Barcelona", "ES")
    assert expo.parent.slug == "smart-city-expo-world-congress-2023"
    assert expo.format == Expo.Format.IN_PERSON
    assert [o.name_es for o in expo.organisers.all()] == [
        "Departamento de Comercio de la provincia de Zhejiang"
    ]
    assert set(expo.sectors.values_list("slug", flat=True)) == {
        "smart-traffic",
        "digital-twin",
        "zero-carbon",
        "iot-platforms",
    }
    companies = expo.figures.get(metric=Figure.Metric.PARTICIPATING_COMPANIES)
    assert companies.value == 11


def test_seed_scewc_figures_and_named_exhibitors():
    scewc = Expo.objects.get(slug="smart-city-expo-world-congress-2023")
    assert scewc.series.short_name == "SCEWC"
    assert scewc.edition_year == 2023
    assert scewc.start_date is None  # the source gives dates only for the Zhejiang exhibition
    figures = {f.metric: (f.qualifier, f.value) for f in scewc.figures.all()}
    assert figures == {
        "exhibitors": ("more_than", Decimal("1000")),
        "countries": ("more_than", Decimal("140")),
        "regions": ("more_than", Decimal("800")),
    }
    assert set(scewc.exhibitors.values_list("name_en", flat=True)) == {
        "Microsoft",
        "Dell",
        "Mastercard",
    }
    assert list(scewc.children.values_list("slug", flat=True)) == [
        "zhejiang-smart-city-exhibition-spain-2023"
    ]


def test_seed_zhejiang_exhibitors_and_what_they_showed():
    expo = Expo.objects.get(slug="zhejiang-smart-city-exhibition-spain-2023")
    showcases = {
        p.exhibitor.name_en: p.showcase_es
        for p in Participation.objects.filter(expo=expo).select_related("exhibitor")
    }
    assert len(showcases) == 6
    assert "FondaCity AIoT" in showcases["Zhejiang Fangda Zhikong Technology Co., Ltd."]
    assert "microcristal" in showcases["Hangzhou Dayu Optoelectronic Technology Co., Ltd."]
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    assert (dahua.country.code, dahua.region_en, dahua.city_en) == ("CN", "Zhejiang", "")
    assert list(dahua.sectors.values_list("slug", flat=True)) == ["video-iot"]
    big_data = Exhibitor.objects.get(slug="hangzhou-city-big-data-operation")
    assert big_data.city_en == "Hangzhou"
    assert set(big_data.sectors.values_list("slug", flat=True)) == {
        "digital-twin",
        "city-operating-system",
    }
    assert (
        Exhibitor.objects.get(slug="zhejiang-fangda-zhikong-technology")
        .sectors.filter(slug="smart-lighting")
        .exists()
    )
    assert (
        Exhibitor.objects.get(slug="graffiti-intelligence")
        .sectors.filter(slug="zero-carbon")
        .exists()
    )


def test_seed_no_invented_websites():
    assert not Exhibitor.objects.exclude(website="").exists()


def test_seed_round_table_and_speakers():
    forum = Forum.objects.get(slug="empowering-smart-city-construction-with-digital-technology")
    assert forum.title_es == (
        "Empoderando la Construcción de Ciudades Inteligentes con Tecnología Digital"
    )
    assert forum.kind == Forum.Kind.ROUND_TABLE
    assert forum.date == datetime.date(2023, 11, 7)  # "el primer día de la exposición"
    assert set(forum.organisers.values_list("short_name_en", flat=True)) == {
        "WUPEN",
        "IKCEST-iCity",
    }
    assert [p.name_en for p in forum.partners.all()] == ["Zhejiang Province"]
    speakers = {a.speaker.name: a.speaker for a in forum.appearances.select_related("speaker")}
    assert set(speakers) == {"Song Hongwei", "Zhao Hongming", "Xu Juemin"}
    song = speakers["Song Hongwei"]
    assert (song.honorific, song.role_es) == ("Dr.", "Presidente")
    assert song.exhibitor.slug == "zhejiang-fangda-zhikong-technology"
    assert speakers["Zhao Hongming"].organisation.name_en == (
        "Zhejiang Zhongkong Information Industry Co., Ltd."
    )
    assert speakers["Xu Juemin"].organisation.name_es == (
        "Oficina de Protección de la Cultura de la Ciudad Histórica de Shaoxing"
    )
    zhao = Appearance.objects.get(speaker__name="Zhao Hongming")
    assert "Segunda Exposición Mundial de Comercio Digital" in zhao.topic_es


def test_seed_second_global_digital_trade_expo_is_an_expo():
    expo = Expo.objects.get(slug="global-digital-trade-expo-2")
    assert expo.name_es == "Segunda Exposición Mundial de Comercio Digital"
    assert expo.edition_number == 2
    assert expo.start_date is None


def test_seed_award():
    award = Award.objects.get()
    assert award.name_es == "Ciudad Habitable e Inclusiva"
    assert award.recipient.name_es == "Condado de Anji"
    assert award.recipient.city_en == "Huzhou"
    assert "Dos Montañas Digitales" in award.reason_es


def test_seed_smart_china_expo_facts():
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    assert (expo.start_date, expo.end_date) == (
        datetime.date(2021, 8, 23),
        datetime.date(2021, 8, 25),
    )
    assert expo.timezone == "Asia/Shanghai"
    assert (expo.city_en, expo.country.code) == ("Chongqing", "CN")
    assert expo.format == Expo.Format.HYBRID
    assert expo.edition_number == 4
    figures = {f.metric: f.value for f in expo.figures.all()}
    assert figures["exhibitors"] == 611
    assert figures["countries_regions"] == 31
    assert figures["partner_regions"] == 30
    trade = expo.figures.get(metric=Figure.Metric.TRADE_VOLUME)
    assert (trade.value, trade.currency, trade.qualifier, trade.year) == (
        Decimal("32500000000"),
        "CNY",
        Figure.Qualifier.MORE_THAN,
        2020,
    )
    editions = Figure.objects.get(series__slug="smart-china-expo", metric="editions")
    assert editions.value == 4


def test_seed_smart_china_expo_deal():
    deal = Deal.objects.get(expo__slug="smart-china-expo-2021")
    assert deal.project_count == 92
    assert (deal.amount, deal.currency) == (Decimal("252400000000"), "CNY")
    assert deal.amount_usd == Decimal("39000000000")
    assert set(deal.sectors.values_list("slug", flat=True)) == {
        "intelligent-manufacturing",
        "digital-economy",
        "science-and-technology",
    }
    assert not deal.parties.exists()  # the source names no parties


def test_seed_smart_china_expo_areas_and_exhibitors():
    area = Area.objects.get(expo__slug="smart-china-expo-2021", kind=Area.Kind.AREA)
    assert area.size_m2 == 20000
    assert area.sector.slug == "industrial-internet"
    guangyu = Participation.objects.get(exhibitor__slug="guangyu-mingdao-digital-technology")
    assert guangyu.area == area
    belarus = Participation.objects.select_related("exhibitor", "area").get(
        exhibitor__slug="china-belarus-industrial-park-development-company"
    )
    assert belarus.area.name_en == "China-SCO digital economy cooperation exhibition hall"
    assert (belarus.exhibitor.country.code, belarus.exhibitor.city_en) == ("BY", "Minsk")
    assert "wind turbine blades" in belarus.showcase_en
    park = Area.objects.get(kind=Area.Kind.SITE)
    assert park.name_en == "Lijia Yuelai Smart Park"


def test_seed_people_quoted_and_sco_forum():
    zhang = Speaker.objects.get(slug="zhang-zhuowen")
    assert zhang.exhibitor.slug == "guangyu-mingdao-digital-technology"
    assert "customer-to-manufacturer" in zhang.role_en
    said = Statement.objects.filter(speaker=zhang).values_list("text_en", flat=True)
    assert any("production islands" in text for text in said)
    norov = Appearance.objects.select_related("speaker", "forum").get(
        speaker__slug="vladimir-imamovich-norov"
    )
    assert norov.speaker.role_en == "Secretary-General"
    assert norov.speaker.organisation.short_name_en == "SCO"
    assert norov.forum.title_en == "China-SCO Forum on the Digital Economy Industry"
    assert "Trade and Economic Multifunctional Platform" in norov.topic_en


def test_seed_zhejiang_province_profile():
    province = Organisation.objects.get(slug="zhejiang-province")
    assert "Modelo Zhejiang" in province.description_es
    assert "Zhejiang Model" in province.description_en


@pytest.mark.parametrize("model", SEEDED_MODELS, ids=lambda m: m._meta.label)
def test_seed_every_record_cites_its_source(model):
    content_type = ContentType.objects.get_for_model(model)
    cited = set(
        Citation.objects.filter(content_type=content_type).values_list("object_id", flat=True)
    )
    records = set(model.objects.values_list("pk", flat=True))
    assert records, f"no {model._meta.verbose_name_plural} in the seed"
    assert records <= cited, f"uncited {model._meta.label}: {sorted(records - cited)}"


def test_seed_every_quote_is_in_its_source_word_for_word():
    citations = Citation.objects.select_related("source")
    assert citations.count() > 100
    for citation in citations:
        assert normalise_space(citation.quote) in normalise_space(citation.source.text), citation.pk


def test_seed_every_sentence_of_the_sources_is_cited():
    for source in Source.objects.all():
        rest = normalise_space(source.text)
        for quote in sorted(
            set(source.citations.values_list("quote", flat=True)), key=len, reverse=True
        ):
            rest = rest.replace(normalise_space(quote), "")
        # What remains is the dateline and byline, which the Source itself records.
        assert len(normalise_space(rest)) < 80, rest


@pytest.mark.parametrize("model", SEEDED_MODELS, ids=lambda m: m._meta.label)
def test_seed_every_record_has_english_text(model):
    from modeltranslation.translator import NotRegistered, translator

    try:
        fields = translator.get_options_for_model(model).fields
    except NotRegistered:
        pytest.skip("no translated fields")
    required = {"name", "title", "text", "subject", "showcase", "role"} & set(fields)
    for record in model.objects.all():
        for field in required:
            if field in ("showcase", "role") and not getattr(record, f"{field}_es"):
                continue
            assert getattr(record, f"{field}_en"), (model, record.pk, field)


def test_seed_records_from_spanish_source_have_spanish_text():
    spanish = Source.objects.get(language="es")
    for citation in spanish.citations.all():
        record = citation.record
        for field in ("name", "title", "description", "showcase", "topic", "reason"):
            english = getattr(record, f"{field}_en", None)
            if english:
                assert getattr(record, f"{field}_es"), (record._meta.label, record.pk, field)


def test_seed_spanish_falls_back_to_english_for_names():
    microsoft = Exhibitor.objects.get(slug="microsoft")
    expo = Expo.objects.get(slug="zhejiang-smart-city-exhibition-spain-2023")
    with translation.override("es"):
        assert Exhibitor.objects.get(pk=microsoft.pk).name == "Microsoft"
        assert Expo.objects.get(pk=expo.pk).name.startswith("Exposición de Ciudades")
    with translation.override("en"):
        assert Expo.objects.get(pk=expo.pk).name.startswith("Zhejiang Smart City Exhibition")


def test_seed_sectors_taken_from_the_documents():
    slugs = set(Sector.objects.values_list("slug", flat=True))
    assert {
        "video-iot",
        "digital-twin",
        "smart-lighting",
        "industrial-internet",
        "zero-carbon",
    } <= slugs


def snapshot():
    return {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for model in [*SEEDED_MODELS, Source, Citation]
    }


def test_seed_loading_twice_changes_nothing():
    before = snapshot()
    call_command("loaddata", "seed", verbosity=0)
    assert snapshot() == before
    assert Citation.objects.count() == len(before["core.Citation"].split('"model"')) - 1
