"""Forms of the directory pages. They validate and clean; services do the writing."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.dates import MONTHS

from followthrough.directory.form_checks import (
    check_email,
    check_geo,
    check_im_lines,
    check_labelled_lines,
    check_link,
    check_phone,
    split_commas,
)
from followthrough.directory.photos import PHOTO_ACCEPT, clean_photo_upload
from followthrough.limits import ID_MAX, LINES_MAX, NOTE_MAX, TAGS_MAX, TEXT_MAX
from followthrough.outreach.selectors import OUTREACH_FILTERS
from followthrough.people.contact_lines import ContactInput, split_label
from followthrough.people.merge import KEEP, MERGE_FIELDS, OTHER, default_choice, field_value
from followthrough.people.models import ANNIVERSARY_FIELDS, BIRTHDAY_FIELDS, Gender, Tag
from followthrough.people.selectors import PERSON_SORTS
from followthrough.people.services import birthday_check
from followthrough.relationships.models import Stage

ADDRESS_MAX = 400  # ContactPoint.value


# --- Helpers ------------------------------------------------------------------------------


def _day_fields(what: str) -> tuple[forms.Field, forms.Field, forms.Field]:
    """Day, month and year boxes of a date whose year may be unknown."""
    return (
        forms.IntegerField(label=f"{what}: day", min_value=1, max_value=31, required=False),
        forms.TypedChoiceField(
            label=f"{what}: month",
            choices=[("", "—"), *MONTHS.items()],
            coerce=int,
            empty_value=None,
            required=False,
        ),
        forms.IntegerField(
            label=f"{what}: year",
            min_value=1,
            max_value=9999,
            required=False,
            help_text="Leave it empty when you do not know it.",
        ),
    )


def _web_address() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"})


def _textarea(rows: int = 3, **attrs: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


def _suggest_organizations(field: forms.Field, suggest_url: str) -> None:
    """Tie a name box to the page's `<datalist>`, refreshed by HTMX as the user types."""
    field.widget.attrs.update({"list": "organization-options", "autocomplete": "off"})
    if suggest_url:
        field.widget.attrs.update(
            {
                "hx-get": suggest_url,
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#organization-options",
                "hx-swap": "innerHTML",
            }
        )


# --- People -------------------------------------------------------------------------------


class PersonForm(forms.Form):
    first_name = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    headline = forms.CharField(
        max_length=200, required=False, help_text="Their role or what they do."
    )
    organization = forms.CharField(
        max_length=200,
        required=False,
        help_text="Type to pick an organization in your directory; a new name adds it.",
    )
    role = forms.CharField(label="Role there", max_length=200, required=False)
    emails = forms.CharField(
        label="E-mail addresses",
        required=False,
        max_length=LINES_MAX,
        widget=_textarea(2),
        help_text="One per line; a label may go first, e.g. “work: ada@example.org”.",
    )
    phones = forms.CharField(
        label="Phone numbers",
        required=False,
        max_length=LINES_MAX,
        widget=_textarea(2),
        help_text="One per line; a label may go first, e.g. “work, cell: +1 555 0100”.",
    )
    links = forms.CharField(
        label="Links",
        required=False,
        max_length=LINES_MAX,
        widget=_textarea(2),
        help_text="One per line, e.g. their website or LinkedIn profile.",
    )
    ims = forms.CharField(
        label="Messaging",
        required=False,
        max_length=LINES_MAX,
        widget=_textarea(2),
        help_text="One per line as service:handle, e.g. skype:alice or xmpp:alice@example.org.",
    )
    addresses = forms.CharField(
        label="Postal addresses",
        required=False,
        max_length=LINES_MAX,
        widget=_textarea(3),
        help_text="Separate two addresses with an empty line. "
        "An address you leave as it is keeps its street, city and country as imported.",
    )
    birthday_day, birthday_month, birthday_year = _day_fields("Birthday")
    tags = forms.CharField(
        required=False, max_length=TAGS_MAX * 61, help_text="Separate tags with commas."
    )
    notes = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(5),
        help_text="Markdown: **bold**, *italic*, [links](https://…), lists.",
    )
    photo = forms.FileField(
        required=False,
        widget=forms.FileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text="JPEG, PNG, GIF or WebP, up to 5 MB.",
    )
    remove_photo = forms.BooleanField(label="Remove the current photo", required=False)
    # "More about them", folded on the form (`more_fields`).
    name_prefix = forms.CharField(max_length=50, required=False, help_text="Dr., Ms., …")
    middle_name = forms.CharField(label="Middle names", max_length=100, required=False)
    name_suffix = forms.CharField(max_length=50, required=False, help_text="Jr., PhD, …")
    formatted_name = forms.CharField(
        label="Name as written",
        max_length=300,
        required=False,
        help_text="As their address book wrote it, e.g. “Dr. Jane Q. Doe, PhD”; "
        "leave it empty to use the first and last name.",
    )
    nickname = forms.CharField(max_length=200, required=False)
    gender = forms.ChoiceField(choices=[("", "—"), *Gender.choices], required=False)
    gender_identity = forms.CharField(
        label="Gender identity", max_length=100, required=False, help_text="In their words."
    )
    anniversary_day, anniversary_month, anniversary_year = _day_fields("Anniversary")
    time_zone = forms.CharField(
        max_length=64, required=False, help_text="E.g. Europe/Berlin or -05:00."
    )
    geo = forms.CharField(
        label="Position on a map",
        max_length=60,
        required=False,
        help_text="Latitude,longitude, e.g. 52.52,13.405.",
    )
    photo_url = forms.URLField(
        label="Photo link",
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text="A photo on the web; it is shown as a link and never fetched.",
    )

    MORE_FIELDS = (
        "name_prefix",
        "middle_name",
        "name_suffix",
        "formatted_name",
        "nickname",
        "gender",
        "gender_identity",
        *(f"anniversary_{part}" for part in ("day", "month", "year")),
        "time_zone",
        "geo",
        "photo_url",
    )

    def __init__(
        self,
        *args: Any,
        editing: bool = False,
        has_photo: bool = False,
        suggest_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["organization"].label = "Add a current organization"
            self.fields[
                "organization"
            ].help_text = (
                "Optional. Their organizations, current and past, are listed on the profile."
            )
        if not has_photo:
            del self.fields["remove_photo"]
        _suggest_organizations(self.fields["organization"], suggest_url)

    # The form's groups, in order; fields a group names that the form lacks (the photo's
    # removal, on a person without one) are left out. Everything else is "More".
    GROUPS = (
        ("Who", ("first_name", "last_name", "headline", "photo", "remove_photo")),
        ("How to reach them", ("emails", "phones", "links", "ims", "addresses")),
        ("Where they work", ("organization", "role")),
        ("Notes", ("notes", "tags", "birthday_day", "birthday_month", "birthday_year")),
    )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.GROUPS
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name not in self.MORE_FIELDS]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MORE_FIELDS]

    def more_has_errors(self) -> bool:
        return any(name in self.errors for name in self.MORE_FIELDS)

    def clean_emails(self) -> list[ContactInput]:
        text = self.cleaned_data["emails"]
        return check_labelled_lines(text, check_email, "e-mail address")

    def clean_phones(self) -> list[ContactInput]:
        text = self.cleaned_data["phones"]
        return check_labelled_lines(text, check_phone, "phone number")

    def clean_links(self) -> list[ContactInput]:
        text = self.cleaned_data["links"]
        return check_labelled_lines(text, check_link, "link (http or https)")

    def clean_ims(self) -> list[ContactInput]:
        return check_im_lines(self.cleaned_data["ims"])

    def clean_addresses(self) -> list[ContactInput]:
        """Addresses are several lines each, so an empty line separates two of them; a
        label goes before the first line (`home: 1 Lake Road`)."""
        text = self.cleaned_data["addresses"].replace("\r\n", "\n")
        blocks = [block.strip() for block in re.split(r"\n[ \t]*\n", text) if block.strip()]
        addresses = []
        for block in blocks:
            first, newline, rest = block.partition("\n")
            label, value = split_label(first)
            addresses.append(ContactInput(value + newline + rest, label))
        too_long = [a.value for a in addresses if len(a.value) > ADDRESS_MAX]
        if too_long:
            raise ValidationError(
                "An address can be at most %(max)s characters long (“%(start)s…” is longer).",
                params={"max": ADDRESS_MAX, "start": too_long[0][:40]},
            )
        return addresses

    def clean_geo(self) -> str:
        return check_geo(self.cleaned_data["geo"])

    def clean_tags(self) -> list[str]:
        return split_commas(self.cleaned_data["tags"], 60, "tag")

    def clean_photo(self) -> SimpleUploadedFile | None:
        upload = self.cleaned_data.get("photo")
        return clean_photo_upload(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        if not (cleaned.get("first_name", "").strip() or cleaned.get("last_name", "").strip()):
            self.add_error("first_name", "Give at least a first or a last name.")
        if cleaned.get("role") and not cleaned.get("organization", "").strip():
            self.add_error("organization", "Name the organization where they have this role.")
        for names, what in (
            (BIRTHDAY_FIELDS, "A birthday"),
            (ANNIVERSARY_FIELDS, "An anniversary"),
        ):
            if all(name in cleaned for name in names):
                try:
                    birthday_check(*(cleaned[name] for name in names), what=what)
                except ValueError as error:
                    self.add_error(names[1], str(error))  # the day's box
        return cleaned


class PersonFilterForm(forms.Form):
    """The directory's search box and filters (all optional; invalid ones are ignored)."""

    q = forms.CharField(label="Search people", required=False, max_length=200)
    tag: forms.ModelChoiceField[Tag] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any tag"
    )
    stage = forms.TypedChoiceField(
        choices=[("", "Any stage"), *Stage.choices], coerce=int, required=False, empty_value=None
    )
    outreach = forms.ChoiceField(
        label="Outreach",
        choices=[("", "Any outreach"), *OUTREACH_FILTERS.items()],
        required=False,
    )
    sort = forms.ChoiceField(label="Sort by", choices=list(PERSON_SORTS.items()), required=False)
    # The people an import added (its number, as on the import's page).
    imported = forms.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, tags: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tag"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = tags

    def value(self: forms.Form, name: str) -> Any:
        """The cleaned value of a filter, or None when it is missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None


# --- Affiliations -------------------------------------------------------------------------


class AffiliationForm(forms.Form):
    organization = forms.CharField(
        max_length=200, help_text="An organization in your directory; a new name adds it."
    )
    role = forms.CharField(max_length=200, required=False, help_text="Their job title.")
    department = forms.CharField(
        max_length=200, required=False, help_text="The unit they are in, e.g. Programs."
    )
    function = forms.CharField(
        label="What they do there",
        max_length=200,
        required=False,
        help_text="The part they play, e.g. Project lead.",
    )
    started_on = forms.DateField(
        label="Started", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label="Ended",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty while they are still there.",
    )

    def __init__(self, *args: Any, suggest_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _suggest_organizations(self.fields["organization"], suggest_url)

    def clean_organization(self) -> str:
        name = self.cleaned_data["organization"].strip()
        if not name:
            raise ValidationError("Name the organization.")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The end date is before the start date.")
        return cleaned


class AffiliationEndForm(forms.Form):
    ended_on = forms.DateField(
        label="Ended", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


# --- Organizations ------------------------------------------------------------------------


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    mission = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(3),
        help_text="What they are working towards, in a sentence or two.",
    )
    focus_areas = forms.CharField(
        required=False, max_length=TAGS_MAX * 61, help_text="Separate focus areas with commas."
    )
    offers = forms.CharField(
        label="What they offer", required=False, max_length=TEXT_MAX, widget=_textarea(2)
    )
    needs = forms.CharField(
        label="What they need", required=False, max_length=TEXT_MAX, widget=_textarea(2)
    )
    # A text box, not type="url": browsers refuse a bare domain there, and people type
    # "harbormutualaid.org" (it becomes https://harbormutualaid.org, as imports do).
    website = forms.URLField(
        required=False, assume_scheme="https", max_length=200, widget=_web_address()
    )
    feed_url = forms.URLField(
        label="News feed URL",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="The RSS or Atom feed of their news.",
        widget=_web_address(),
    )
    location = forms.CharField(max_length=200, required=False)
    notes = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(4),
        help_text="Markdown: **bold**, *italic*, [links](https://…), lists.",
    )

    def __init__(self, *args: Any, own: bool = False, **kwargs: Any) -> None:
        """`own`: the workspace's own organization, whose profile speaks as us."""
        super().__init__(*args, **kwargs)
        if own:
            self.fields["mission"].help_text = "What we are working towards, in a sentence or two."
            self.fields["offers"].label = "What we offer"
            self.fields["needs"].label = "What we need"
            self.fields[
                "focus_areas"
            ].help_text = "Our focus areas, separated by commas: partner suggestions look for them."

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("An organization needs a name.")
        return name

    def clean_focus_areas(self) -> list[str]:
        return split_commas(self.cleaned_data["focus_areas"], 60, "focus area")


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label="Search organizations", required=False, max_length=200)
    focus_area: forms.ModelChoiceField[Tag] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any focus area"
    )

    def __init__(self, *args: Any, tags: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["focus_area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = tags

    value = PersonFilterForm.value


class NoticedForm(forms.Form):
    summary = forms.CharField(
        label="What did you notice?",
        max_length=200,
        help_text="E.g. “Opened a second food pantry in Eastside.”",
    )
    note = forms.CharField(
        required=False, max_length=NOTE_MAX, widget=_textarea(3), help_text="Markdown."
    )
    occurred_on = forms.DateField(
        label="When",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for today.",
    )


# --- Merging and bulk actions -------------------------------------------------------------


class MergeForm(forms.Form):
    """One "keep"/"other" choice for each field whose values differ between the two
    people (fields with equal values are not asked about). `cleaned_data` holds only
    the choices made, ready for `person_merge(choices=…)`."""

    def __init__(self, *args: Any, keep: Any, other: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in MERGE_FIELDS.items():
            if field_value(keep, name) == field_value(other, name):
                continue
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[(KEEP, "Keep this value"), (OTHER, "Take the other value")],
                widget=forms.RadioSelect,
                initial=default_choice(keep, other, name),
                required=False,  # left out: the service's default (see `default_choice`)
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        return {name: value for name, value in cleaned.items() if value}


BULK_ACTIONS = [
    ("tag", "Add tag"),
    ("untag", "Remove tag"),
    ("owner", "Set owner"),
    ("delete", "Delete"),
]


class PersonBulkForm(forms.Form):
    """The people list's bulk bar. The people themselves are the posted `person` ids,
    which the bulk services keep to the workspace."""

    action = forms.ChoiceField(choices=BULK_ACTIONS)
    tag = forms.CharField(max_length=60, required=False)
    # A member's user id, or "none" for nobody; missing: ask which member.
    owner = forms.CharField(max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        action, tag = cleaned.get("action"), (cleaned.get("tag") or "").strip()
        if action in ("tag", "untag") and not tag:
            self.add_error("tag", "Type the tag to add or remove.")
        cleaned["tag"] = tag
        owner = cleaned.get("owner") or ""
        if owner and owner != "none" and not owner.isdigit():
            self.add_error("owner", "Choose a member of the team.")
        return cleaned
