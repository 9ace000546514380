"""Which of a model's constraints (or which field's rule) a write that the database refused
broke.

Checking a record against its constraints before writing it (full_clean, a form's
validate_unique) cannot see a record another transaction writes at the same moment: both
pass the check, and the database refuses the second. PostgreSQL raises the unique violation
only once the first writer has committed, so that by the time a writer hears of it the record
it collided with is there to be seen (at READ COMMITTED, each statement sees what was
committed before it began): checking again now names the field, as it would have for a write
sent a moment later.
"""

from django.apps import apps
from django.db import IntegrityError
from django.utils.translation import gettext
from psycopg import errors

# A second copy of a key that must be unique: a unique constraint or index, or an exclusion
# constraint (overlapping ranges, say).
DUPLICATE = (errors.UniqueViolation, errors.ExclusionViolation)


def duplicated_constraint(error: IntegrityError) -> str | None:
    """The name of the unique or exclusion constraint that `error` reports, else None."""
    cause = error.__cause__
    if isinstance(cause, DUPLICATE):
        return cause.diag.constraint_name
    return None


def constraint_named(model, name: str | None):
    """The constraint of `model` (or of a parent model) called `name`, else None."""
    for model_class in (model, *model._meta.all_parents):
        for constraint in model_class._meta.constraints:
            if constraint.name == name:
                return constraint
    return None


def refused_field(error: IntegrityError) -> dict | None:
    """{field: [message]} for a rule a trigger holds for any writer and reports as a
    check_violation naming its table and column (RAISE … USING COLUMN): a write that passed
    the model's own check, which a concurrent transaction then made wrong, is the 400 it
    would have been a moment later. Anything else stays what it was."""
    cause = error.__cause__
    if not isinstance(cause, errors.CheckViolation) or not cause.diag.column_name:
        return None
    table, column = cause.diag.table_name, cause.diag.column_name
    for model in apps.get_models():
        if model._meta.db_table == table:
            for field in model._meta.concrete_fields:
                if field.column == column:
                    return {field.name: [gettext(cause.diag.message_primary)]}
    return None
