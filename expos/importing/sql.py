"""SQL built from the models' _meta: table and column names, translated columns, and the
INSERT … ON CONFLICT statement that writes a model's rows from a staged relation.

Nothing here names a table, a column or a language: a field added to a model (with a
default), or a language added to MODELTRANSLATION_LANGUAGES, changes the statements with it.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import NOT_PROVIDED
from modeltranslation import settings as translation_settings
from modeltranslation.fields import TranslationField
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname


def quote(name):
    return connection.ops.quote_name(name)


class Table:
    """A model's table and columns, quoted for SQL: `f"{table}"`, `table["slug"]` (a field's
    column, by the field's name)."""

    def __init__(self, model):
        self.model = model
        self.name = quote(model._meta.db_table)

    def __str__(self):
        return self.name

    def __getitem__(self, field):
        return quote(self.model._meta.get_field(field).column)

    @property
    def pk(self):
        return quote(self.model._meta.pk.column)


def default_language_fields(model):
    """{field name: its default language's field} for each translated field of `model`.

    A translated field's own column (the untranslated base) and its default language's column
    hold the same value; the other languages' columns hold translations, which a file does not
    give.
    """
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return {}
    language = translation_settings.DEFAULT_LANGUAGE
    get_field = model._meta.get_field
    return {
        name: get_field(build_localized_fieldname(name, language)) for name in options.all_fields
    }


def blank(field):
    """What a column of `field` holds for "nothing given": NULL if the field is nullable, else
    the empty string."""
    return "NULL" if field.null else "''"


class Upsert:
    """INSERT … SELECT … ON CONFLICT DO UPDATE, writing rows of `model` from a staged relation.

    `columns` maps the relation's columns to the fields they fill; `conflict` names the fields
    of the unique constraint a row is matched on. Every other column is filled from _meta:

    - a field with auto_now_add or auto_now: the import's time (parameter `now`), on insert,
      and for auto_now on update as well;
    - a field named in `given`: the parameter of that name, on insert only;
    - a translated field's default-language column: what fills the field's own column; the
      other languages' columns are left out (NULL for a new row, untouched otherwise);
    - any other field: its default (`get_default()`, evaluated once per import, a parameter),
      or else its `db_default`; a nullable field whose default is None is left out. A NOT NULL
      field with neither cannot be filled, which is an error as soon as this is built.

    An existing row is updated only if a value it takes differs (IS DISTINCT FROM, over the
    default language's column of a translated field), so an unchanged row keeps `updated`.
    With `keep`, a row's value that stands for nothing (`blank`) leaves the table's be.
    """

    def __init__(self, model, *, columns, conflict, given=(), keep=False):
        meta = model._meta
        self.table = Table(model)
        self.columns = columns
        self.defaults = {}  # parameter → the field whose default it is
        inserted, updated, compared = self.mapped(conflict, keep)
        filled = {meta.get_field(name).name for name in columns.values()}
        for field in meta.concrete_fields:
            if field.name in filled or field.primary_key or field.generated:
                continue
            if isinstance(field, TranslationField):
                continue  # filled with its field, or a translation left out
            target = quote(field.column)
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                inserted.append((target, "%(now)s"))
                if field.auto_now:
                    updated.append((target, "%(now)s"))
            elif field.name in given:
                inserted.append((target, f"%({field.name})s"))
            elif not field.has_default() and field.db_default is not NOT_PROVIDED:
                continue  # the database fills it
            elif field.get_default() is not None:
                # Cast, so that a default's type never depends on how a parameter is sent.
                key = f"default_{field.column}"
                inserted.append((target, f"CAST(%({key})s AS {field.db_type(connection)})"))
                self.defaults[key] = field
            elif not field.null:
                raise ImproperlyConfigured(
                    f"{model.__name__}.{field.name} has no default: give it one (or a "
                    "db_default) or an import column, so that the bulk importer can fill it."
                )
        table = self.table
        self.insert = ", ".join(target for target, _value in inserted)
        self.values = ", ".join(value for _target, value in inserted)
        self.conflict = ", ".join(quote(meta.get_field(name).column) for name in conflict)
        self.updates = ", ".join(f"{target} = {value}" for target, value in updated)
        self.old = ", ".join(f"{table}.{target}" for target, _value in compared)
        self.new = ", ".join(value for _target, value in compared)

    def mapped(self, conflict, keep):
        """(inserted, updated, compared): (column, value) pairs for the fields `columns` fill,
        what an INSERT gives them, what an update sets, what tells an update is a change."""
        table, get_field = self.table, self.table.model._meta.get_field
        translated = default_language_fields(self.table.model)
        fields = {column: get_field(name) for column, name in self.columns.items()}
        inserted, updated, compared = [], [], []
        for column, field in fields.items():
            targets = [quote(field.column)]
            if field.name in translated:
                targets.append(quote(translated[field.name].column))
            inserted += [(target, f"s.{quote(column)}") for target in targets]
            if field.name in conflict:
                continue
            empty = blank(field)
            for target in targets:
                value = f"EXCLUDED.{target}"
                if keep and empty == "NULL":
                    value = f"COALESCE({value}, {table}.{target})"
                elif keep:
                    value = f"COALESCE(NULLIF({value}, {empty}), {table}.{target})"
                updated.append((target, value))
            compared.append(updated[-1])  # the default language's column, if translated
        return inserted, updated, compared

    def sql(self, source):
        """The statement writing the rows of `source`: a table's name, or a query in
        parentheses."""
        if not self.new:
            action = "NOTHING"
        else:
            action = f"UPDATE SET {self.updates} WHERE ({self.old}) IS DISTINCT FROM ({self.new})"
        return (
            f"INSERT INTO {self.table} ({self.insert}) SELECT {self.values} FROM {source} s "
            f"ON CONFLICT ({self.conflict}) DO {action}"
        )

    def counted(self, source):
        """The statement of `sql`, answering one row: how many rows it inserted, how many it
        updated. A row that an INSERT … ON CONFLICT inserted has no xmax (no transaction has
        replaced it yet); one it updated has the updating transaction's."""
        return (
            f"WITH written AS ({self.sql(source)} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
            "FROM written"
        )

    def parameters(self, **given):
        """The statement's parameters: the fields' defaults, and `given` (`now`, and the
        fields given by the import)."""
        defaults = {
            key: field.get_db_prep_save(field.get_default(), connection)
            for key, field in self.defaults.items()
        }
        return {**defaults, **given}
