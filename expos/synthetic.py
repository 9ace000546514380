"""Synthetic directory data for load tests: realistic, reproducible, marked, removable.

`rows()` yields exhibitor rows in the bulk importer's format, so `generate_directory` writes
them through the importer's fast path (COPY into a staging table, then one INSERT per table).
Every record it writes has `synthetic = True`; `remove()` deletes exactly those records and
whatever points at them, in a few set-based statements. Seed records are never touched.
"""

import datetime
import random

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils.text import slugify

from core.provenance import Citation
from exhibitors.models import Exhibitor, Sector

from .models import Expo, Participation

# (slug, English name, Spanish name, weight): how often exhibitors work in it.
SECTORS = [
    ("smart-parking", "Smart parking", "Aparcamiento inteligente", 8),
    ("water-management", "Water management", "Gestión del agua", 7),
    ("waste-collection", "Waste collection", "Recogida de residuos", 5),
    ("public-safety", "Public safety", "Seguridad pública", 9),
    ("e-government", "E-government", "Administración electrónica", 6),
    ("smart-grid", "Smart grid", "Red eléctrica inteligente", 8),
    ("building-automation", "Building automation", "Automatización de edificios", 6),
    ("air-quality", "Air quality", "Calidad del aire", 4),
    ("micromobility", "Micromobility", "Micromovilidad", 4),
    ("ev-charging", "EV charging", "Recarga de vehículos eléctricos", 6),
    ("5g-networks", "5G networks", "Redes 5G", 7),
    ("open-data", "Open data", "Datos abiertos", 5),
    ("cybersecurity", "Cybersecurity", "Ciberseguridad", 8),
    ("drones", "Drones", "Drones", 3),
    ("autonomous-vehicles", "Autonomous vehicles", "Vehículos autónomos", 4),
    ("smart-healthcare", "Smart healthcare", "Sanidad inteligente", 5),
    ("smart-education", "Smart education", "Educación inteligente", 4),
    ("tourism-technology", "Tourism technology", "Tecnología turística", 3),
    ("digital-payments", "Digital payments", "Pagos digitales", 4),
    ("urban-planning", "Urban planning", "Planificación urbana", 5),
    ("geospatial-data", "Geospatial data", "Datos geoespaciales", 4),
    ("edge-computing", "Edge computing", "Computación en el borde", 5),
    ("noise-monitoring", "Noise monitoring", "Control del ruido", 2),
    ("flood-warning", "Flood warning", "Alerta de inundaciones", 2),
    ("street-furniture", "Street furniture", "Mobiliario urbano", 2),
    ("citizen-apps", "Citizen apps", "Aplicaciones ciudadanas", 5),
    ("urban-logistics", "Urban logistics", "Logística urbana", 4),
    ("energy-storage", "Energy storage", "Almacenamiento de energía", 4),
    ("district-heating", "District heating", "Calefacción urbana", 2),
    ("public-transport", "Public transport", "Transporte público", 7),
]

# (country, weight, script, cities)
COUNTRIES = [
    ("CN", 22, "zh", ["Beijing", "Shanghai", "Hangzhou", "Shenzhen", "Chongqing", "Chengdu"]),
    ("US", 10, "en", ["New York", "San Francisco", "Austin", "Boston", "Seattle"]),
    ("ES", 7, "es", ["Barcelona", "Madrid", "Valencia", "Málaga", "Bilbao", "A Coruña"]),
    ("DE", 6, "de", ["Berlin", "München", "Hamburg", "Köln", "Düsseldorf"]),
    ("JP", 5, "ja", ["Tokyo", "Osaka", "Yokohama", "Fukuoka"]),
    ("KR", 4, "ko", ["Seoul", "Busan", "Incheon", "Daejeon"]),
    ("IN", 4, "en", ["Bengaluru", "Pune", "Hyderabad", "New Delhi"]),
    ("GB", 4, "en", ["London", "Manchester", "Bristol", "Glasgow"]),
    ("FR", 4, "fr", ["Paris", "Lyon", "Nantes", "Toulouse"]),
    ("IT", 3, "it", ["Milano", "Torino", "Bologna", "Roma"]),
    ("BR", 3, "pt", ["São Paulo", "Curitiba", "Recife"]),
    ("RU", 3, "ru", ["Moscow", "Kazan", "Novosibirsk"]),
    ("MX", 2, "es", ["Ciudad de México", "Guadalajara", "Monterrey", "Querétaro"]),
    ("AE", 2, "ar", ["Dubai", "Abu Dhabi"]),
    ("SA", 2, "ar", ["Riyadh", "Jeddah"]),
    ("NL", 2, "en", ["Amsterdam", "Eindhoven", "Rotterdam"]),
    ("SE", 2, "en", ["Stockholm", "Göteborg", "Malmö"]),
    ("SG", 2, "en", ["Singapore"]),
    ("TR", 2, "en", ["İstanbul", "Ankara", "İzmir"]),
    ("CA", 2, "en", ["Toronto", "Montréal", "Vancouver"]),
    ("AU", 2, "en", ["Sydney", "Melbourne", "Brisbane"]),
    ("CO", 1, "es", ["Bogotá", "Medellín"]),
    ("CL", 1, "es", ["Santiago", "Valparaíso"]),
    ("AR", 1, "es", ["Buenos Aires", "Córdoba", "Rosario"]),
    ("PT", 1, "pt", ["Lisboa", "Porto"]),
    ("GR", 1, "el", ["Athens", "Thessaloniki"]),
    ("BY", 1, "ru", ["Minsk"]),
    ("EG", 1, "ar", ["Cairo", "Alexandria"]),
    ("PL", 1, "en", ["Warszawa", "Kraków", "Wrocław"]),
    ("IL", 1, "en", ["Tel Aviv", "Haifa"]),
]

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "nu",
    "ve",
    "ra",
    "zen",
    "tor",
    "qua",
    "lix",
    "dor",
    "mar",
    "sen",
    "vel",
    "tri",
    "ona",
    "kor",
    "bel",
    "fin",
    "gal",
]
WORDS = {
    "en": ["Urban", "Smart", "Civic", "Metro", "Grid", "Data", "Cloud", "Mobility", "Energy",
           "Water", "Traffic", "Light", "Sensor", "Vision", "Twin", "Transit", "Parking"],
    "es": ["Soluciones", "Tecnologías", "Energía", "Movilidad", "Iluminación", "Gestión",
           "Ingeniería", "Señalización", "Telecomunicación"],
    "de": ["Stadtwerk", "Straßen", "Verkehrs", "Energie", "Daten", "Gebäude", "Lösungen"],
    "fr": ["Énergie", "Réseaux", "Mobilité", "Éclairage", "Données", "Sécurité"],
    "it": ["Città", "Energia", "Mobilità", "Sicurezza", "Dati", "Reti"],
    "pt": ["Soluções", "Energia", "Mobilidade", "Cidade", "Dados", "Iluminação"],
    "zh": ["智慧", "数字", "云", "物联", "光电", "数据", "智能", "交通", "能源", "视觉"],
    "ja": ["スマート", "シティ", "デジタル", "ネット", "データ", "クラウド", "ビジョン"],
    "ko": ["스마트", "시티", "데이터", "클라우드", "모빌리티", "에너지", "네트웍스"],
    "ru": ["Умный", "Цифровой", "Городские", "Сети", "Энергия", "Транспорт"],
    "ar": ["مدينة", "ذكية", "تقنيات", "أنظمة", "حلول", "رقمية", "طاقة"],
    "el": ["Έξυπνη", "Πόλη", "Ψηφιακά", "Ενέργεια", "Δίκτυα"],
}  # fmt: skip
SUFFIXES = {
    "en": ["Systems", "Technologies", "Solutions", "Labs", "Networks", "Group", "Analytics"],
    "es": ["S.L.", "S.A.", "Grupo", "Sistemas"],
    "de": ["GmbH", "AG", "Systeme"],
    "fr": ["SAS", "Groupe", "Systèmes"],
    "it": ["S.p.A.", "S.r.l.", "Sistemi"],
    "pt": ["Ltda.", "S.A.", "Sistemas"],
    "zh": ["科技有限公司", "信息技术有限公司", "集团", "网络科技有限公司"],
    "ja": ["株式会社", "テクノロジーズ", "システムズ"],
    "ko": ["주식회사", "테크", "솔루션"],
    "ru": ["ООО", "Технологии", "Системы"],
    "ar": ["المحدودة", "القابضة", "للتقنية"],
    "el": ["Α.Ε.", "Συστήματα"],
}
CHINESE_CITIES = ["北京", "上海", "杭州", "深圳", "重庆", "成都", "武汉", "南京", "广州", "西安"]
CHINESE_PROVINCES = ["Zhejiang", "Guangdong", "Jiangsu", "Sichuan", "Hubei", "Shandong"]
EXPO_BRANDS = [
    "Smart City Expo", "Urban Tech Forum", "Digital City Summit", "Smart Mobility Show",
    "IoT City Fair", "Feria Ciudad Inteligente", "Salon Ville Intelligente",
    "Smart Country Convention", "智慧城市博览会", "Congreso Ciudades Inteligentes",
]  # fmt: skip
SHOWCASES = [
    "{word} platform demonstration", "Live {word} control room", "{word} sensors on a model street",
    "Pilot results from {city}", "A digital twin of {city}", "",
]  # fmt: skip
FIRST_YEAR, LAST_YEAR = 2000, 2026
SECTOR_LABELS = {slug: english.lower() for slug, english, _spanish, _weight in SECTORS}


def expo_count(exhibitors):
    """About 200 exhibitors an expo, between 10 and 5,000 expos."""
    return max(10, min(5000, exhibitors // 200))


class Generator:
    """Reproducible synthetic rows: the same seed gives the same directory."""

    def __init__(self, exhibitors, seed, expos=None, participations=3):
        self.exhibitors = exhibitors
        self.random = random.Random(seed)
        self.seed = seed
        self.expos = self.make_expos(expos or expo_count(exhibitors))
        self.participations = participations
        self.countries = list(COUNTRIES)
        self.country_weights = [c[1] for c in COUNTRIES]
        self.sector_slugs = [s[0] for s in SECTORS]
        self.sector_weights = [s[3] for s in SECTORS]

    def make_expos(self, count):
        expos = []
        for number in range(1, count + 1):
            country, _weight, _script, cities = self.random.choices(
                COUNTRIES, weights=[c[1] for c in COUNTRIES]
            )[0]
            city = self.random.choice(cities)
            year = self.random.randint(FIRST_YEAR, LAST_YEAR)
            brand = self.random.choice(EXPO_BRANDS)
            start = datetime.date(year, self.random.randint(1, 12), self.random.randint(1, 25))
            slug = f"{slugify(brand) or 'expo'}-{slugify(city) or 'city'}-{year}-{number}"
            expos.append(
                {
                    "expo": slug,
                    "expo_name": f"{brand} {city} {year}",
                    "expo_year": str(year),
                    "expo_country": country,
                    "expo_city": city,
                    "expo_start": start.isoformat(),
                    "expo_end": (
                        start + datetime.timedelta(days=self.random.randint(1, 4))
                    ).isoformat(),
                }
            )
        return expos

    def name(self, script):
        pick = self.random.choice
        if script == "zh":
            return (
                pick(CHINESE_CITIES) + pick(WORDS["zh"]) + pick(WORDS["zh"]) + pick(SUFFIXES["zh"])
            )
        stem = (pick(SYLLABLES) + pick(SYLLABLES)).capitalize()
        if script in ("ja", "ko", "ar", "el", "ru"):
            return f"{pick(WORDS[script])} {pick(WORDS[script])} {pick(SUFFIXES[script])}"
        return f"{stem} {pick(WORDS[script])} {pick(SUFFIXES[script])}"

    def rows(self):
        """(line number, row) pairs in the importer's format; one row an expo appearance."""
        line = 1
        pick = self.random
        for number in range(1, self.exhibitors + 1):
            country, _weight, script, cities = pick.choices(
                self.countries, weights=self.country_weights
            )[0]
            if script == "zh" and pick.random() < 0.3:
                script = "en"  # many Chinese companies go by a Latin name abroad
            name = self.name(script)
            slug = f"{slugify(name) or country.lower() + '-exhibitor'}-{number}"[-120:].lstrip("-")
            city = pick.choice(cities)
            sectors = list(
                dict.fromkeys(
                    pick.choices(
                        self.sector_slugs, weights=self.sector_weights, k=pick.randint(1, 3)
                    )
                )
            )
            exhibitor = {
                "slug": slug,
                "name": name,
                "country": country,
                "region": pick.choice(CHINESE_PROVINCES) if country == "CN" else "",
                "city": city,
                "sectors": ";".join(sectors),
                "website": f"https://{slug}.example",
                "description": (
                    f"{name} works on {' and '.join(SECTOR_LABELS[s] for s in sectors)} "
                    f"for cities in and around {city}."
                ),
            }
            appearances = max(1, min(len(self.expos), round(pick.gauss(self.participations, 1))))
            for expo in pick.sample(self.expos, appearances):
                line += 1
                showcase = pick.choice(SHOWCASES).format(
                    word=pick.choice(WORDS["en"]), city=expo["expo_city"]
                )
                yield line, {**exhibitor, **expo, "showcase": showcase}


@transaction.atomic
def create_sectors():
    """The synthetic sectors; a slug the directory already has is left as it is (ON
    CONFLICT DO NOTHING: reading which are taken first would miss those that a run at the
    same moment writes)."""
    Sector.objects.bulk_create(
        [
            Sector(slug=slug, name=english, name_en=english, name_es=spanish, synthetic=True)
            for slug, english, spanish, _weight in SECTORS
        ],
        ignore_conflicts=True,
    )


class StillReferenced(Exception):
    """A synthetic record is referenced by a record that must not be deleted with it."""


def remove():
    """Delete every synthetic record and what hangs off it; returns {table: rows deleted}."""
    deleted = {}
    with transaction.atomic(), connection.cursor() as cursor:

        def run(label, sql, parameters=()):
            cursor.execute(sql, parameters)
            if cursor.rowcount:
                deleted[label] = deleted.get(label, 0) + cursor.rowcount

        # Participations first: they are most of the rows, and they belong to their exhibitor.
        participation = Participation._meta.db_table
        synthetic_participations = (
            f"SELECT id FROM {participation} WHERE exhibitor_id IN "
            f"(SELECT id FROM {Exhibitor._meta.db_table} WHERE synthetic) OR expo_id IN "
            f"(SELECT id FROM {Expo._meta.db_table} WHERE synthetic)"
        )
        delete_citations(run, Participation, synthetic_participations)
        run(
            participation,
            f"DELETE FROM {participation} WHERE id IN ({synthetic_participations})",
        )
        for model in (Exhibitor, Expo, Sector):
            table = model._meta.db_table
            chosen = f"SELECT id FROM {table} WHERE synthetic"
            unlink(run, cursor, model, chosen)
            delete_citations(run, model, chosen)
            run(table, f"DELETE FROM {table} WHERE synthetic")
    return deleted


def unlink(run, cursor, model, chosen):
    """Remove the rows that point at the chosen records, or refuse if one must stay."""
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        if through._meta.auto_created:
            table = through._meta.db_table
            run(table, f"DELETE FROM {table} WHERE {field.m2m_column_name()} IN ({chosen})")
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            through = relation.through
            if through._meta.auto_created:
                run(
                    through._meta.db_table,
                    f"DELETE FROM {through._meta.db_table} "
                    f"WHERE {relation.field.m2m_reverse_name()} IN ({chosen})",
                )
            continue
        other = relation.related_model
        if other is Participation:
            continue  # already removed
        column = relation.field.column
        table = other._meta.db_table
        if relation.on_delete is models.CASCADE:  # a part of the record: a sector link
            run(table, f"DELETE FROM {table} WHERE {column} IN ({chosen})")
            continue
        if relation.on_delete is models.SET_NULL:
            run(table, f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({chosen})")
            continue
        cursor.execute(
            f"SELECT count(*) FROM {table} WHERE {column} IN ({chosen}) "
            f"AND NOT ({'synthetic' if hasattr(other, 'synthetic') else 'false'})"
        )
        (count,) = cursor.fetchone()
        if count:
            raise StillReferenced(
                f"{count} {other._meta.verbose_name_plural} point at synthetic "
                f"{model._meta.verbose_name_plural}; edit or delete them first."
            )


def delete_citations(run, model, chosen):
    content_type = ContentType.objects.get_for_model(model)
    table = Citation._meta.db_table
    run(
        table,
        f"DELETE FROM {table} WHERE content_type_id = %s AND object_id IN ({chosen})",
        [content_type.pk],
    )
