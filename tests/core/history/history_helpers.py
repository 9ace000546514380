"""What the history tests share: the database as rows, and deleting a record with everything
that refers to it by SQL alone."""

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import ForeignKey
from django.urls import reverse

from core.changelog.log import TRACKED
from core.provenance import Citation


def database_rows():
    """Every row of every table of the directory's apps (the count tables included), as
    JSON, table by table: what "the database equals what it was" compares."""
    tables = sorted(
        {model._meta.db_table for model in TRACKED.values()}
        | {
            model._meta.db_table
            for app in ("exhibitors", "expos")
            for model in apps.get_app_config(app).get_models()
            if not model._meta.proxy
        }
    )
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT to_jsonb(t)::text FROM {connection.ops.quote_name(table)} t")
            # jsonb's text lists keys in one order: equal rows are equal texts.
            rows[table] = sorted(row for (row,) in cursor.fetchall())
    return rows


def everything_referring_to(model, ids):
    """{model: ids}: the records `ids` of `model` and, again and again, every tracked record
    whose foreign key or citation points to one of them."""
    found = {}
    queue = [(model, set(ids))]
    while queue:
        target, pks = queue.pop()
        fresh = pks - found.get(target, set())
        if not fresh:
            continue
        found.setdefault(target, set()).update(fresh)
        for other in TRACKED.values():
            for field in other._meta.concrete_fields:
                if isinstance(field, ForeignKey) and field.related_model is target:
                    rows = other._base_manager.filter(**{f"{field.attname}__in": fresh})
                    queue.append((other, set(rows.values_list("pk", flat=True))))
        cited = Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(target), object_id__in=fresh
        )
        queue.append((Citation, set(cited.values_list("pk", flat=True))))
    return found


def delete_by_sql(records):
    """Delete {model: ids} with plain DELETE statements, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model, ids in records.items():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [sorted(ids)])


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def staff(django_user_model, name, *codenames):
    """A staff member with the permissions named `app.codename`."""
    user = django_user_model.objects.create_user(name, password=f"{name}-pw-123!", is_staff=True)
    for codename in codenames:
        app_label, code = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=code)
        )
    return user
