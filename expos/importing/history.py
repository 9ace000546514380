"""The entry each file import leaves in the history (expos.models.ImportRun).

The entry is written before the import starts, in its own statement, so that an import still
running, or one whose process was killed, shows as `running`; it is completed when the import
ends. A failed import's data is rolled back with its transaction, but the entry is written
after that rollback, outside it, and says why the import failed.

Entries are written with bulk_create and update(), which send no signals: an import's entry is
not directory data, and must not make every cached answer stale (core.changelog.dataversion) when
the
import itself wrote nothing.
"""

import contextlib
import getpass
import logging

from django.contrib.admin.models import ADDITION, LogEntry
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import ngettext

from core.fields import NOT_IN_A_LINE, NOT_IN_TEXT

from ..models import ImportOutcome, ImportRun
from .checks import ImportRejected

logger = logging.getLogger(__name__)
SHOWN_PROBLEMS = 20


def system_user() -> str:
    """The operating-system account running this process, if it has a name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return ""


def describe(error: BaseException, path) -> str:
    """What went wrong, as the command reports it."""
    if isinstance(error, ImportRejected):
        shown = "; ".join(
            f"line {line}" + (f", {field}" if field else "") + f": {message}"
            for line, field, message in error.errors[:SHOWN_PROBLEMS]
        )
        more = error.total - min(SHOWN_PROBLEMS, len(error.errors))
        problems = ngettext("%(count)d problem", "%(count)d problems", error.total)
        return f"{problems % {'count': error.total}}, nothing imported: {shown}" + (
            f"; … and {more} more." if more > 0 else ""
        )
    if isinstance(error, FileNotFoundError):
        return f"No such file: {path}"
    if isinstance(error, UnicodeDecodeError):
        return f"Not UTF-8 text ({error.reason})."
    if isinstance(error, KeyboardInterrupt):
        return "Interrupted."
    return f"{type(error).__name__}: {error}"


@contextlib.contextmanager
def recorded(path, *, user=None):
    """Record the import of `path` run inside this block by `user` (a staff user, or None).

    The block sets `result["counts"]` to what import_records returned.
    """
    (entry,) = ImportRun.objects.bulk_create(
        [
            ImportRun(
                # A file's name, and the account's, may hold any character but "/" and NUL:
                # the entry shows the ones a line cannot hold escaped.
                file_name=NOT_IN_A_LINE.escape(str(path))[
                    -ImportRun._meta.get_field("file_name").max_length :
                ],
                user=user,
                system_user=NOT_IN_A_LINE.escape(system_user()),
                started=timezone.now(),
            )
        ]
    )
    result = {}
    try:
        yield result
    except BaseException as error:
        try:
            ImportRun.objects.filter(pk=entry.pk).update(
                outcome=ImportOutcome.FAILED,
                finished=timezone.now(),
                error=NOT_IN_TEXT.escape(describe(error, path)),
            )
        except DatabaseError:  # the database itself failed: report the import's error
            logger.exception("Could not record the failed import of %s", path)
        raise
    counts = result["counts"]
    ImportRun.objects.filter(pk=entry.pk).update(
        outcome=ImportOutcome.SUCCEEDED,
        finished=timezone.now(),
        rows=counts["rows"],
        tables=counts["tables"],
    )
    if user is not None:
        # The staff member's "Recent actions" in the admin: the import's own entry.
        entry.refresh_from_db()
        LogEntry.objects.log_actions(
            user.pk,
            [entry],
            ADDITION,
            change_message=ngettext(
                "Imported from the command line: %(count)d row.",
                "Imported from the command line: %(count)d rows.",
                counts["rows"],
            )
            % {"count": counts["rows"]},
            single_object=True,
        )
