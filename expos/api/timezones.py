"""The time zone of an expo in the API: an IANA name, checked on the server, a plain string in
the schema."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from expos import models


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 64,
        "pattern": r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
        "example": "Asia/Shanghai",
        "description": (
            "The IANA time zone of the place, as the tz database's zone.tab names it (such as "
            "`Europe/Madrid` or `America/Argentina/Buenos_Aires`), or `UTC` (null where the "
            "source gives none). Old names kept as links (`Asia/Calcutta`), POSIX-style rules "
            "(`EST5EDT`) and any other value are a 400 naming `timezone`."
        ),
    }
)
class TimeZoneField(serializers.ChoiceField):
    """An IANA time zone, described in the schema as a string rather than an enum.

    The zones are the model field's choices (core.fields.time_zone_names), which follow the
    tzdata package: an enum of them would make every generated client refuse a zone added by a
    later tzdata release. They are still checked here, on the server.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(choices=models.Expo._meta.get_field("timezone").choices, **kwargs)
