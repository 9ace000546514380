"""The columns of a directory file, each declared once, in TABLE.

A column is its name in the file, the model field it fills and its kind (checks.Text, Slug,
Country, …: how its values are checked and staged). The field gives the rest: its type, max
length, choices and validators (read by the kind), the staging table's column type, and how it
is written (a concrete field by its model's INSERT … ON CONFLICT, a many-to-many field as the
links of its exhibitor). Everything else is derived from TABLE: the file's header (reading),
the staging table (staging), each row's checks (checks.PartCheck), the statements that write
the models (writing). A field added to the import is the model's field and one line here.

The columns come by model: the exhibitor's, then the expo's it appears at, then the
participation's. Each model's columns are a Part of the row, checked and staged together; the
exhibitor's and the expo's start with the slug that names the record.
"""

from django.core.exceptions import ImproperlyConfigured

from exhibitors.models import Exhibitor

from ..models import Expo, Participation
from .checks import Country, Date, Listed, Slug, Text, Website, Year


class Column:
    """A column of a directory file: `name` in the file fills `field` of `model`, checked and
    staged as `kind` (Text by default). A `required` column must be in the file's header and
    given on every row."""

    def __init__(self, name, model, field, kind=Text, *, required=False):
        if not (name.isidentifier() and name.islower()):
            # The staging table's columns bear the file's names, unquoted.
            raise ImproperlyConfigured(f"“{name}” cannot name an import column.")
        self.name, self.model, self.required = name, model, required
        self.field = model._meta.get_field(field)
        self.kind = kind(self.field, required=required)

    def __repr__(self):
        return f"<Column {self.name}: {self.model.__name__}.{self.field.name}>"


TABLE = [
    # The exhibitor: checked and staged once for each run of rows that repeat its details.
    Column("slug", Exhibitor, "slug", Slug, required=True),
    Column("name", Exhibitor, "name", required=True),
    Column("country", Exhibitor, "country", Country),
    Column("region", Exhibitor, "region"),
    Column("city", Exhibitor, "city"),
    Column("sectors", Exhibitor, "sectors", Listed),
    Column("website", Exhibitor, "website", Website),
    Column("description", Exhibitor, "description"),
    # The expo it appears at, if any: checked and staged once for each set of details.
    Column("expo", Expo, "slug", Slug),
    Column("expo_name", Expo, "name"),
    Column("expo_year", Expo, "edition_year", Year),
    Column("expo_country", Expo, "country", Country),
    Column("expo_city", Expo, "city"),
    Column("expo_start", Expo, "start_date", Date),
    Column("expo_end", Expo, "end_date", Date),
    # The appearance: checked on every row.
    Column("showcase", Participation, "showcase"),
]

COLUMNS = [column.name for column in TABLE]  # in the order a record's values come (reading)
REQUIRED_COLUMNS = [column.name for column in TABLE if column.required]


class Part:
    """The columns of one model, side by side in the file: `values` is where their values
    are among a record's (a slice), `fields` maps the columns its model's INSERT writes to
    the fields they fill."""

    def __init__(self, model):
        self.columns = [column for column in TABLE if column.model is model]
        start = TABLE.index(self.columns[0])
        self.values = slice(start, start + len(self.columns))
        self.fields = {
            column.name: column.field.name
            for column in self.columns
            if not column.field.many_to_many
        }

    def __getitem__(self, name):
        """The part's column named `name`."""
        (column,) = [column for column in self.columns if column.name == name]
        return column


EXHIBITOR, EXPO, PARTICIPATION = PARTS = Part(Exhibitor), Part(Expo), Part(Participation)

# What the loop over the rows (staging.stage) and the writes rely on, checked once.
if [column for part in PARTS for column in part.columns] != TABLE:
    raise ImproperlyConfigured(
        "The import's columns come by model: the exhibitor's, the expo's, the participation's."
    )
# Rows are matched to exhibitors and expos on their slugs (writing's ON CONFLICT).
if any(part.columns[0].field.name != "slug" for part in (EXHIBITOR, EXPO)):
    raise ImproperlyConfigured("The exhibitor's and the expo's columns start with their slug.")
# The participation's value is the one a row holds on its own, so the loop over the rows
# (staging.stage) takes it as it comes and checks only its characters; more would need the
# loop to check them for every row.
if len(PARTICIPATION.columns) != 1 or not PARTICIPATION.columns[0].kind.free:
    raise ImproperlyConfigured("The import's participation column is one text without limits.")

# The column listing the exhibitor's sectors: a file without it leaves them as they are.
(LISTED,) = [column for column in EXHIBITOR.columns if isinstance(column.kind, Listed)]
# An expo's end may not come before its start, in a row or across the rows that give them.
EXPO_DATES = (EXPO["expo_start"], EXPO["expo_end"])
