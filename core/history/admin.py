"""The admin's history of every directory record, read from the change log: each version with
its time, operation, editor and the fields it changed; two versions compared field by field;
a version restored; and "Recover deleted", which lists a model's deleted records and brings
one back with everything deleted with it.

HistoryAdminMixin gives a ModelAdmin all of it. core knows no app: the model is the
ModelAdmin's own, and the records restored with it are found through core.changelog.log.TRACKED.
The admin's own writes name their editor in the log (core.changelog.log.act_as).
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.changelog.log import act_as
from core.history.deleted import PAGE, deleted_records
from core.history.recovery import (
    missing_permissions,
    plan_names,
    plan_restore,
    problems,
    restore,
)
from core.history.versions import (
    NotRestored,
    compare,
    describe,
    labels_of,
    restore_version,
    versions,
)
from core.models import Change, Operation
from core.timestamps import timestamp

# How many records of each type a recovery page names; the rest are counted.
NAMED_PER_TYPE = 25


class HistoryAdminMixin:
    """History, compare, restore and "Recover deleted" for a directory ModelAdmin, from the
    change log; and the admin's writes signed with their editor."""

    change_list_template = "admin/history/change_list.html"

    # --- The admin's writes name their editor ----------------------------------------------

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            act_as(request.user)
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with transaction.atomic():
            act_as(request.user)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The change list's delete action runs outside any transaction of the admin's own.
        with transaction.atomic():
            act_as(request.user)
            super().delete_queryset(request, queryset)

    # --- URLs ------------------------------------------------------------------------------

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_"
        view = self.admin_site.admin_view
        return [
            path("recover/", view(self.recover_list_view), name=name + "recoverlist"),
            path("recover/<int:change_id>/", view(self.recover_view), name=name + "recover"),
            path(
                "<path:object_id>/history/compare/",
                view(self.history_compare_view),
                name=name + "historycompare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.history_restore_view),
                name=name + "historyrestore",
            ),
            *super().get_urls(),
        ]

    def url(self, view, *args):
        """The URL of this admin's `view` (changelist, history, recover, …)."""
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}"
        return reverse(name, args=args)

    # --- History ---------------------------------------------------------------------------

    def record_history(self, request, object_id):
        """(record or None, pk, versions oldest first) of `object_id`; 404 where the log
        knows nothing of it. A deleted record's history is still shown."""
        try:
            pk = self.opts.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError):
            raise Http404 from None
        record = self.get_object(request, str(pk))
        if record is not None and not self.has_view_or_change_permission(request, record):
            raise PermissionDenied
        if record is None and not self.has_view_or_change_permission(request):
            raise PermissionDenied
        found = versions(self.model, pk)
        if record is None and not found:
            raise Http404
        return record, pk, found

    def history_context(self, request, record, pk, title, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "module_name": str(self.opts.verbose_name_plural),
            "object": record,
            "object_id": pk,
            "name": str(record) if record is not None else f"#{pk}",
            "title": title,
            **context,
        }

    def history_view(self, request, object_id, extra_context=None):
        record, pk, found = self.record_history(request, object_id)
        latest = found[-1].id if found else None
        can_restore = record is not None and self.has_change_permission(request, record)
        rows = [
            {
                "version": version,
                "compare_url": (
                    f"{self.url('historycompare', pk)}?a={previous.id}&b={version.id}"
                    if previous is not None
                    else None
                ),
                "restore_url": (
                    self.url("historyrestore", pk, version.id)
                    if can_restore and version.values is not None and version.id != latest
                    else None
                ),
            }
            for previous, version in zip([None, *found], found, strict=False)
        ]
        context = self.history_context(
            request,
            record,
            pk,
            _("Change history: %s") % (record if record is not None else f"#{pk}"),
            rows=list(reversed(rows)),
            compare_url=self.url("historycompare", pk),
            recover_url=self.url("recoverlist") if record is None else None,
            **(extra_context or {}),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/history/object_history.html", context)

    def history_compare_view(self, request, object_id):
        record, pk, found = self.record_history(request, object_id)
        by_id = {version.id: version for version in found}
        chosen = [request.GET.get(name, "") for name in ("a", "b")]
        picked = [
            by_id.get(int(value)) if value.isascii() and value.isdigit() else None
            for value in chosen
        ]
        if None in picked:
            messages.error(request, _("Choose two versions of this record to compare."))
            return HttpResponseRedirect(self.url("history", pk))
        old, new = sorted(picked, key=lambda version: version.id)
        context = self.history_context(
            request,
            record,
            pk,
            _("Compare versions: %s") % (record if record is not None else f"#{pk}"),
            old=old,
            new=new,
            differences=compare(self.model, old.values, new.values),
            history_url=self.url("history", pk),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/history/compare.html", context)

    def history_restore_view(self, request, object_id, version_id):
        record, pk, found = self.record_history(request, object_id)
        version = next((v for v in found if v.id == version_id), None)
        if version is None or version.values is None:
            raise Http404
        if record is None:
            messages.error(request, _("This record is deleted: recover it first."))
            return HttpResponseRedirect(self.url("recoverlist"))
        if not self.has_change_permission(request, record):
            raise PermissionDenied
        error = None
        if request.method == "POST":
            try:
                with transaction.atomic():
                    act_as(request.user)
                    restore_version(self.model, pk, version.values)
            except NotRestored as refused:
                error = str(refused)
            else:
                messages.success(
                    request,
                    _("%(record)s now has the values of its version of %(at)s.")
                    % {
                        "record": describe(self.model, version.values, pk),
                        "at": timestamp(version.at),
                    },
                )
                return HttpResponseRedirect(self.url("change", pk))
        differences = compare(self.model, found[-1].values, version.values)
        context = self.history_context(
            request,
            record,
            pk,
            _("Restore a version: %s") % record,
            version=version,
            differences=[row for row in differences if row.changed],
            error=error,
            history_url=self.url("history", pk),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/history/restore.html", context)

    # --- Recover deleted -------------------------------------------------------------------

    def recover_list_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        before = request.GET.get("before", "")
        if before and not (before.isascii() and before.isdigit() and len(before) <= 19):
            messages.error(request, _("“before” must be an entry number."))
            return HttpResponseRedirect(self.url("recoverlist"))
        records, more = deleted_records(
            self.model, before=int(before) if before else None, limit=PAGE
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "module_name": str(self.opts.verbose_name_plural),
            "title": _("Recover deleted %(name)s") % {"name": self.opts.verbose_name_plural},
            "records": [
                {"record": record, "url": self.url("recover", record.change_id)}
                for record in records
            ],
            "next_url": (
                f"{self.url('recoverlist')}?before={records[-1].change_id}" if more else None
            ),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/history/recover_list.html", context)

    def recover_view(self, request, change_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        entry = Change.objects.filter(
            pk=change_id, model__in=labels_of(self.model), operation=Operation.DELETE
        ).first()
        if entry is None:
            raise Http404
        plan = plan_restore(entry)
        if not any(row.model is self.model and row.pk == entry.record_id for row in plan.rows):
            messages.info(request, _("This record is no longer deleted."))
            return HttpResponseRedirect(self.url("recoverlist"))
        lacking = missing_permissions(plan, request.user)
        error = None
        if request.method == "POST":
            if lacking:
                raise PermissionDenied
            try:
                with transaction.atomic():
                    act_as(request.user)
                    # Planned again inside the transaction, on what is there now.
                    restored = restore(plan_restore(entry))
            except NotRestored as refused:
                error = str(refused)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Restored %(count)d record.",
                        "Restored %(count)d records.",
                        len(restored),
                    )
                    % {"count": len(restored)},
                )
                return HttpResponseRedirect(self.url("change", entry.record_id))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "module_name": str(self.opts.verbose_name_plural),
            "title": _("Recover deleted %(name)s") % {"name": self.opts.verbose_name},
            "record": describe(self.model, entry.before or {}, entry.record_id, entry.slug),
            "groups": grouped(plan),
            "relinks": len(plan.relinks),
            "problems": problems(plan),
            "lacking": lacking,
            "error": error,
            "list_url": self.url("recoverlist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/history/recover.html", context)


def grouped(plan):
    """The plan's records by type, in the order they are written, each naming at most
    NAMED_PER_TYPE of them."""
    groups = []
    for row in plan.rows:
        if not groups or groups[-1]["model"] is not row.model:
            groups.append({"model": row.model, "rows": [], "count": 0})
        group = groups[-1]
        group["count"] += 1
        if len(group["rows"]) < NAMED_PER_TYPE:
            group["rows"].append(row)
    named = [row for group in groups for row in group.pop("rows")]
    names = iter(plan_names(plan, named))
    for group in groups:
        group["names"] = [next(names) for _ in range(min(group["count"], NAMED_PER_TYPE))]
        meta = group["model"]._meta
        group["label"] = meta.verbose_name if group["count"] == 1 else meta.verbose_name_plural
        group["more"] = group["count"] - len(group["names"])
    return groups
