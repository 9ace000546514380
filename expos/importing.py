"""Bulk import of exhibitors, expos and participations from CSV or JSON Lines.

One row is one exhibitor, and optionally its appearance at one expo:

    slug, name, country, region, city, sectors, website, description,
    expo, expo_name, expo_year, expo_country, expo_city, expo_start, expo_end, showcase

`sectors` is a list of sector slugs separated by `;` (a JSON list in JSON Lines). An exhibitor
at several expos takes several rows. Every row is checked before anything is written; a file
with any bad row is rejected whole, with every bad line and field. A good file is written in
one transaction, in large batches, as upserts: importing the same file again updates the
records and duplicates nothing.
"""

import csv
import datetime
import json
import re
from dataclasses import dataclass, field

from django.core.validators import URLValidator
from django.db import transaction
from django_countries import countries

from exhibitors.models import Exhibitor, Sector
from expos.models import Expo, Participation

COLUMNS = [
    "slug", "name", "country", "region", "city", "sectors", "website", "description",
    "expo", "expo_name", "expo_year", "expo_country", "expo_city", "expo_start", "expo_end",
    "showcase",
]  # fmt: skip
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
BATCH = 5000
COUNTRY_CODES = {code for code, _name in countries}
http_url = URLValidator(schemes=["http", "https"])


class ImportRejected(Exception):
    """The file has bad rows; `errors` lists (line, field, message) for each."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the file")


@dataclass
class Plan:
    exhibitors: dict = field(default_factory=dict)  # slug → fields
    sectors: dict = field(default_factory=dict)  # exhibitor slug → [sector slugs]
    expos: dict = field(default_factory=dict)  # slug → fields
    participations: dict = field(default_factory=dict)  # (exhibitor, expo) → showcase
    rows: int = 0


def read_rows(path, fmt=None):
    """(line number, row dict) for each data row of a CSV or JSON Lines file."""
    fmt = fmt or ("jsonl" if str(path).endswith((".jsonl", ".ndjson")) else "csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            missing = [c for c in ("slug", "name") if c not in (reader.fieldnames or [])]
            if missing:
                raise ImportRejected([(1, c, "This column is required.") for c in missing])
            unknown = [c for c in reader.fieldnames if c not in COLUMNS]
            if unknown:
                raise ImportRejected([(1, c, "Unknown column.") for c in unknown])
            for row in reader:
                yield reader.line_num, row
        else:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    yield number, ImportRejected([(number, "", f"Not JSON: {error.msg}.")])
                    continue
                if not isinstance(row, dict):
                    yield number, ImportRejected([(number, "", "Each line must be an object.")])
                    continue
                unknown = [c for c in row if c not in COLUMNS]
                if unknown:
                    yield number, ImportRejected([(number, c, "Unknown field.") for c in unknown])
                    continue
                yield number, row


def text(row, name):
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value).strip()


def check_row(number, row, known_sectors, plan, errors):
    """Validate one row and add it to the plan; record each problem with its line."""

    def bad(name, message):
        errors.append((number, name, message))

    slug, name = text(row, "slug"), text(row, "name")
    if not slug:
        bad("slug", "Required.")
    elif not SLUG.match(slug) or len(slug) > 120:
        bad("slug", "Use letters, digits, hyphens and underscores (120 at most).")
    if not name:
        bad("name", "Required.")
    elif len(name) > 255:
        bad("name", "255 characters at most.")
    country = text(row, "country").upper()
    if country and country not in COUNTRY_CODES:
        bad("country", f"“{country}” is not an ISO 3166-1 alpha-2 country code.")
    website = text(row, "website")
    if website:
        try:
            http_url(website)
        except Exception:
            bad("website", "Must be an http or https address.")
    sectors = [s for s in text(row, "sectors").split(";") if s.strip()]
    unknown = [s for s in sectors if s.strip() not in known_sectors]
    if unknown:
        bad("sectors", f"Unknown sector(s): {', '.join(unknown)}.")
    for column in ("region", "city"):
        if len(text(row, column)) > 120:
            bad(column, "120 characters at most.")
    if any("\x00" in text(row, column) for column in COLUMNS):
        bad("", "NUL characters are not allowed.")

    expo = text(row, "expo")
    expo_fields = None
    if expo:
        expo_fields = check_expo(row, expo, bad)
    elif any(text(row, c) for c in COLUMNS[9:]):
        bad("expo", "Expo columns are filled in but the expo slug is missing.")

    if slug in plan.exhibitors and plan.exhibitors[slug]["name_en"] != name and name:
        bad("name", f"“{slug}” appears earlier with another name.")
    if any(e[0] == number for e in errors):
        return
    plan.rows += 1
    plan.exhibitors[slug] = {
        "name": name,
        "name_en": name,
        "country": country,
        "region": text(row, "region"),
        "region_en": text(row, "region"),
        "city": text(row, "city"),
        "city_en": text(row, "city"),
        "website": website,
        "description": text(row, "description"),
        "description_en": text(row, "description"),
    }
    plan.sectors[slug] = [s.strip() for s in sectors]
    if expo_fields is not None:
        known = plan.expos.get(expo)
        if known and any(v and known.get(k) and known[k] != v for k, v in expo_fields.items()):
            errors.append((number, "expo", f"“{expo}” appears earlier with other details."))
            return
        plan.expos[expo] = {**(known or {}), **{k: v for k, v in expo_fields.items() if v}}
        plan.participations[(slug, expo)] = text(row, "showcase")


def check_expo(row, expo, bad):
    if not SLUG.match(expo) or len(expo) > 120:
        bad("expo", "Use letters, digits, hyphens and underscores (120 at most).")
    year = text(row, "expo_year")
    if year and (not year.isdigit() or not 1900 <= int(year) <= 2100):
        bad("expo_year", f"“{year}” is not a year between 1900 and 2100.")
        year = ""
    dates = {}
    for column in ("expo_start", "expo_end"):
        raw = text(row, column)
        if raw:
            try:
                dates[column] = datetime.date.fromisoformat(raw)
            except ValueError:
                bad(column, f"“{raw}” is not a date (YYYY-MM-DD).")
    if len(dates) == 2 and dates["expo_end"] < dates["expo_start"]:
        bad("expo_end", "The end date cannot be before the start date.")
    country = text(row, "expo_country").upper()
    if country and country not in COUNTRY_CODES:
        bad("expo_country", f"“{country}” is not an ISO 3166-1 alpha-2 country code.")
    return {
        "name": text(row, "expo_name"),
        "edition_year": int(year) if year else None,
        "country": country,
        "city": text(row, "expo_city"),
        "start_date": dates.get("expo_start"),
        "end_date": dates.get("expo_end"),
    }


def plan_import(path, fmt=None):
    """Read and check the whole file; raise ImportRejected listing every problem."""
    known_sectors = set(Sector.objects.values_list("slug", flat=True))
    plan, errors = Plan(), []
    for number, row in read_rows(path, fmt):
        if isinstance(row, ImportRejected):
            errors += row.errors
            continue
        check_row(number, row, known_sectors, plan, errors)
    if errors:
        raise ImportRejected(errors)
    for slug, fields in plan.expos.items():
        if not fields.get("name"):
            fields["name"] = slug.replace("-", " ").title()
    return plan


def batches(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_directory(path, *, fmt=None, progress=None):
    """Check the file, then write it in one transaction. Returns counts of what was written."""
    plan = plan_import(path, fmt)
    step = progress or (lambda n: None)
    exhibitor_fields = ["name", "name_en", "country", "region", "region_en", "city", "city_en",
                        "website", "description", "description_en"]  # fmt: skip
    expo_fields = ["name", "name_en", "edition_year", "country", "city", "city_en",
                   "start_date", "end_date"]  # fmt: skip
    with transaction.atomic():
        for chunk in batches(plan.expos.items()):
            Expo.objects.bulk_create(
                [
                    Expo(slug=slug, name_en=f["name"], city_en=f.get("city", ""), **f)
                    for slug, f in chunk
                ],
                update_conflicts=True,
                unique_fields=["slug"],
                update_fields=[*expo_fields, "updated"],
            )
        expo_ids = {}
        for chunk in batches(plan.expos):
            expo_ids.update(Expo.objects.filter(slug__in=chunk).values_list("slug", "id"))
        sector_ids = dict(Sector.objects.values_list("slug", "id"))
        for chunk in batches(plan.exhibitors.items()):
            Exhibitor.objects.bulk_create(
                [Exhibitor(slug=slug, **fields) for slug, fields in chunk],
                update_conflicts=True,
                unique_fields=["slug"],
                update_fields=[*exhibitor_fields, "updated"],
            )
            slugs = [slug for slug, _fields in chunk]
            ids = dict(Exhibitor.objects.filter(slug__in=slugs).values_list("slug", "id"))
            # An import states each exhibitor's sectors in full: replace what was there.
            Through = Exhibitor.sectors.through
            Through.objects.filter(exhibitor_id__in=ids.values()).delete()
            Through.objects.bulk_create(
                [
                    Through(exhibitor_id=ids[slug], sector_id=sector_ids[sector])
                    for slug in slugs
                    for sector in dict.fromkeys(plan.sectors[slug])
                ]
            )
            step(len(chunk))
        if plan.participations:
            exhibitor_ids = {}
            for chunk in batches({e for e, _x in plan.participations}):
                exhibitor_ids.update(
                    Exhibitor.objects.filter(slug__in=chunk).values_list("slug", "id")
                )
            for chunk in batches(plan.participations.items()):
                Participation.objects.bulk_create(
                    [
                        Participation(
                            exhibitor_id=exhibitor_ids[e],
                            expo_id=expo_ids[x],
                            showcase=showcase,
                            showcase_en=showcase,
                        )
                        for (e, x), showcase in chunk
                    ],
                    update_conflicts=True,
                    unique_fields=["exhibitor", "expo"],
                    update_fields=["showcase", "showcase_en", "updated"],
                )
    return {
        "rows": plan.rows,
        "exhibitors": len(plan.exhibitors),
        "expos": len(plan.expos),
        "participations": len(plan.participations),
    }
