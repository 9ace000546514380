"""What a list's filters say when a value is not understood, on the pages and in the API.

A value that is not one of a filter's choices is answered with the choices (`ordering`,
`attendance`, `kind`…), or, where there are too many to list, with what is expected (a
country code, a record's slug). On a page, each message is headed by the filter's label in the
page's language ("Country", "País"), not by its parameter.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Up to how many choices a message lists; a field with more says what it expects instead.
CHOICES_LISTED = 40

# The labels of what a page reads besides its filters.
OTHER_LABELS = {"page": _("Page")}


def invalid_choice_message(field, value):
    """The message for `value`, which is not among the choices of the form field `field`."""
    expected = getattr(field, "expected", None)
    if callable(expected):  # the field says it itself (country codes, records' slugs)
        return expected(value)
    if isinstance(field, forms.ModelMultipleChoiceField | forms.ModelChoiceField):
        return gettext("No %(record)s has the slug “%(value)s”.") % {
            "record": field.queryset.model._meta.verbose_name,
            "value": value,
        }
    choices = [str(choice) for choice, _label in field.choices if choice not in ("", None)]
    if not choices or len(choices) > CHOICES_LISTED:
        return gettext("“%(value)s” is not one of the choices.") % {"value": value}
    return gettext("“%(value)s” is not one of the choices: %(choices)s.") % {
        "value": value,
        "choices": ", ".join(choices),
    }


def described(field, error: ValidationError) -> ValidationError:
    """`error` (one or several messages for `field`), each "not one of the available
    choices" replaced by one that says what the choices are."""
    messages = []
    for item in error.error_list:
        if item.code == "invalid_choice" and item.params and "value" in item.params:
            message = invalid_choice_message(field, item.params["value"])
            # Given as a parameter: a `%` in the value would be read as a placeholder by
            # whatever formats the message with its parameters (django-filter always does).
            item = ValidationError(
                "%(message)s", code="invalid_choice", params={"message": message}
            )
        messages.append(item)
    return ValidationError(messages)


class DescribedChoicesForm(forms.Form):
    """A FilterSet's form, whose choice errors say what the choices are (see described)."""

    def add_error(self, field, error):
        if (
            field in self.fields
            and isinstance(error, ValidationError)
            and not hasattr(error, "error_dict")
        ):
            error = described(self.fields[field], error)
        super().add_error(field, error)


def labelled_errors(errors, form=None):
    """A page's errors, [{"parameter", "label", "messages"}, …]: `errors` ({parameter:
    [message, …]}) each named by its filter's label in the active language (OTHER_LABELS for
    a parameter no filter reads, or the parameter itself)."""
    fields = form.fields if form is not None else {}
    labelled = []
    for parameter, messages in errors.items():
        field = fields.get(parameter)
        label = field.label if field is not None and field.label else None
        label = label or OTHER_LABELS.get(parameter) or parameter
        labelled.append({"parameter": parameter, "label": str(label), "messages": messages})
    return labelled
