"""factory_boy factories for every model, shared by the tests of both apps."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType

from core.provenance import Citation, Source
from exhibitors.models import Exhibitor, Sector
from expos import models


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")


class ExhibitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exhibitor

    name = factory.Sequence(lambda n: f"Exhibitor {n} Co., Ltd.")
    slug = factory.Sequence(lambda n: f"exhibitor-{n}")
    country = "CN"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = models.Organisation.Kind.GOVERNMENT


class ExpoSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ExpoSeries

    name = factory.Sequence(lambda n: f"Series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")


class ExpoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Expo

    name = factory.Sequence(lambda n: f"Expo {n}")
    slug = factory.Sequence(lambda n: f"expo-{n}")
    edition_year = 2023
    start_date = datetime.date(2023, 11, 7)
    end_date = datetime.date(2023, 11, 9)
    timezone = "Europe/Madrid"
    city = "Barcelona"
    country = "ES"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Area

    expo = factory.SubFactory(ExpoFactory)
    name = factory.Sequence(lambda n: f"Hall {n}")
    kind = models.Area.Kind.HALL


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participation

    exhibitor = factory.SubFactory(ExhibitorFactory)
    expo = factory.SubFactory(ExpoFactory)
    showcase = "A platform"


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Forum

    expo = factory.SubFactory(ExpoFactory)
    title = factory.Sequence(lambda n: f"Forum {n}")
    slug = factory.Sequence(lambda n: f"forum-{n}")
    kind = models.Forum.Kind.ROUND_TABLE


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    role = "President"


class AppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Appearance

    speaker = factory.SubFactory(SpeakerFactory)
    forum = factory.SubFactory(ForumFactory)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Statement

    speaker = factory.SubFactory(SpeakerFactory)
    expo = factory.SubFactory(ExpoFactory)
    text = "We build smart factories."


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Deal

    expo = factory.SubFactory(ExpoFactory)
    title = factory.Sequence(lambda n: f"Deal {n}")
    slug = factory.Sequence(lambda n: f"deal-{n}")
    project_count = 3
    amount = 1000
    currency = "CNY"


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Figure

    expo = factory.SubFactory(ExpoFactory)
    subject = "Expo"
    metric = models.Figure.Metric.EXHIBITORS
    value = 10


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Award

    expo = factory.SubFactory(ExpoFactory)
    name = factory.Sequence(lambda n: f"Award {n}")
    recipient = factory.SubFactory(OrganisationFactory)


class HighlightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Highlight

    expo = factory.SubFactory(ExpoFactory)
    title = factory.Sequence(lambda n: f"Highlight {n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    language = "en"
    file_name = factory.Sequence(lambda n: f"source-{n}.txt")
    text = "The expo opened. It had 10 exhibitors."


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    source = factory.SubFactory(SourceFactory)
    record = factory.SubFactory(ExpoFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.record))
    object_id = factory.LazyAttribute(lambda o: o.record.pk)
    quote = "It had 10 exhibitors."
