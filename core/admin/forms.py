"""What every admin's forms share, beside the change lists of core.admin.changelists: numbers and
dates
read in ASCII digits only (AsciiNumbersMixin), and a write that raced another answered as the
form's error rather than a database error (RecheckRacedWritesMixin), and many-to-many
fields whose links are a model of their own edited as any other (LinkFieldsMixin), and forms
and inlines that fit a 1,280 px window (FittingFormsMixin), and a slug made from the name
(SlugFromNameMixin)."""

from django import forms
from django.conf import settings
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import IntegrityError, models
from django.http import HttpResponseRedirect
from django.utils.text import slugify

from core.history.deletion import is_plain_link
from core.integrity import duplicated_constraint
from core.numbers import DateFormField, DecimalFormField, IntegerFormField, is_integer_text

# --- Numbers ---------------------------------------------------------------------------------


class AsciiNumbersMixin:
    """A ModelAdmin or inline whose forms read numbers and dates as ASCII digits (core.numbers) and
    whose change list refuses a page number in any other digits, which Django's int() reads
    (`?p=١٢` is page 12). Every admin of the directory has it (a test walks the site)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        form_class = number_form_field(db_field)
        if form_class is not None:
            kwargs.setdefault("form_class", form_class)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        raw = request.GET.get(PAGE_VAR)
        if raw is not None and not is_integer_text(raw):
            # What Django's change list answers for a parameter it cannot use.
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)


def number_form_field(db_field):
    """The form field class for a model's number or date field, None for any other field."""
    if db_field.choices or db_field.is_relation:
        return None
    if type(db_field) is models.DateField:
        return DateFormField
    if isinstance(db_field, models.DecimalField):
        return DecimalFormField
    if isinstance(db_field, models.IntegerField):
        return IntegerFormField
    return None


# --- Writes that race ------------------------------------------------------------------------

# How many times a form is answered again after its write was refused as a duplicate: once
# shows the form's error; twice covers a duplicate deleted and written again in between.
RECHECKS = 2


class RecheckRacedWritesMixin:
    """An add or change form whose write the database refuses as a duplicate is answered
    again from the start, in a new transaction: its checks now see the record that another
    writer committed at the same moment (core.integrity), and name the field as they would
    have a moment later."""

    def add_view(self, request, form_url="", extra_context=None):
        return self.recheck_raced(super().add_view, request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.recheck_raced(super().change_view, request, object_id, form_url, extra_context)

    def recheck_raced(self, view, *args):
        for _recheck in range(RECHECKS):
            try:
                return view(*args)
            except IntegrityError as error:
                if duplicated_constraint(error) is None:
                    raise
        return view(*args)


# --- Links -----------------------------------------------------------------------------------


class LinkFieldsMixin:
    """A many-to-many field whose links are a plain model of their own is edited in the form as
    one with Django's own table: the admin leaves out any field with a model between, since
    one with more columns than the two keys cannot be written by `.set()`; a plain link can."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        through = db_field.remote_field.through
        if through._meta.auto_created or not is_plain_link(through):
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        using = kwargs.get("using")
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(db_field, self.admin_site, using=using)
        if "queryset" not in kwargs:
            queryset = self.get_field_queryset(using, db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return db_field.formfield(**kwargs)


# --- Layout ----------------------------------------------------------------------------------


class FittingFormsMixin:
    """A ModelAdmin whose forms and inlines fit a 1,280 px window: its pages load the
    directory's form styles (a tabular inline's text and autocomplete boxes as wide as their
    column allows), so no row needs sideways scrolling."""

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["admin/css/directory_forms.css"]})


# --- Slugs -----------------------------------------------------------------------------------


class SlugFromNameForm(forms.ModelForm):
    """A form whose slug, left empty, is made from its `slug_sources` (the English name or
    title), as the admin's script would have filled it in: without the script, or with the
    slug cleared, a record can still be added. The column stays required; a slug taken
    already, or a name with no letter to make one of, is the slug field's error."""

    slug_sources = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.slug_sources and "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        cleaned = super().clean()
        if not self.slug_sources or "slug" not in self.fields or cleaned.get("slug"):
            return cleaned
        if self.has_error("slug"):
            return cleaned
        words = " ".join(str(cleaned.get(name) or "") for name in self.slug_sources)
        length = self._meta.model._meta.get_field("slug").max_length
        slug = slugify(words)[:length].strip("-_")
        if slug:
            cleaned["slug"] = slug
        else:
            field = self.fields["slug"]
            self.add_error(
                "slug", forms.ValidationError(field.error_messages["required"], "required")
            )
        return cleaned


class SlugFromNameMixin:
    """An admin whose records have a slug made from their name (prepopulated_fields["slug"]):
    the slug follows the name on the form rather than coming first, the admin's script fills it
    in as the name is typed, and SlugFromNameForm makes it when it is left empty."""

    form = SlugFromNameForm

    def slug_sources(self, request, obj=None):
        return tuple(self.get_prepopulated_fields(request, obj).get("slug", ()))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.slug_sources = self.slug_sources(request, obj)
        return form

    def get_fieldsets(self, request, obj=None):
        # The fieldsets rather than the fields: django-modeltranslation's admin makes its
        # fieldsets from the form's fields without asking get_fields().
        sources = self.slug_sources(request, obj)
        names = set().union(*map(translations_of, sources))
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = list(options.get("fields", ()))
            if "slug" in fields and names & set(fields):
                fields.remove("slug")
                after = max(i for i, name in enumerate(fields) if name in names)
                fields.insert(after + 1, "slug")
                options = {**options, "fields": fields}
            fieldsets.append((title, options))
        return fieldsets


def translations_of(name):
    """A field's name with and without each language's suffix: `name_en` -> name, name_en,
    name_es (django-modeltranslation's fields)."""
    codes = [code for code, _name in settings.LANGUAGES]
    base = next((name.removesuffix(f"_{c}") for c in codes if name.endswith(f"_{c}")), name)
    return {base, *(f"{base}_{code}" for code in codes)}
