"""People, organizations, affiliations and tags of a workspace's directory."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from followthrough.people.names import full_name
from followthrough.workspaces.models import WorkspaceScoped

# The fields a member edits, one list per model for the services, forms, backup, restore
# and exports (tags, contact points and affiliations are rows of their own).
BIRTHDAY_FIELDS = ("birthday_month", "birthday_day", "birthday_year")
ANNIVERSARY_FIELDS = ("anniversary_month", "anniversary_day", "anniversary_year")
# What address books keep beyond the name, headline and notes (vCard's N parts, FN,
# NICKNAME, GENDER, ANNIVERSARY, TZ, GEO, a PHOTO given as a link): plain values a member
# sees and edits on the profile, and that every export writes back.
CARD_FIELDS = (
    "name_prefix",
    "middle_name",
    "name_suffix",
    "nickname",
    "formatted_name",
    "gender",
    "gender_identity",
    *ANNIVERSARY_FIELDS,
    "time_zone",
    "geo",
    "photo_url",
)
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "headline",
    "notes",
    "photo",
    *BIRTHDAY_FIELDS,
    *CARD_FIELDS,
)
ORGANIZATION_FIELDS = (
    "name",
    "mission",
    "offers",
    "needs",
    "website",
    "feed_url",
    "location",
    "notes",
)


class Tag(WorkspaceScoped):
    name = models.CharField(max_length=60)
    cadence_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Default keep-in-touch cadence for people with this tag.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="tag_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Organization(WorkspaceScoped):
    name = models.CharField(max_length=200)
    mission = models.TextField(blank=True)
    focus_areas = models.ManyToManyField(Tag, blank=True, related_name="organizations")
    offers = models.TextField("what it offers", blank=True)
    needs = models.TextField("what it needs", blank=True)
    website = models.URLField(blank=True)
    feed_url = models.URLField("news feed URL", blank=True)
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True, help_text="Markdown.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["workspace", "name"], name="org_ws_name"),
            # The latest change of a workspace's organizations, read on every matching
            # page to know whether the cached term weights still hold.
            models.Index(fields=["workspace", "updated_at"], name="org_ws_updated"),
        ]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    """vCard 4.0's sex component (RFC 6350 6.2.7); the identity is free text."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"
    OTHER = "O", "Other"
    NONE = "N", "None or not applicable"
    UNKNOWN = "U", "Unknown"


def photo_path(instance: Person, filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"photos/{instance.workspace_id}/{uuid.uuid4().hex}{suffix}"


class Person(WorkspaceScoped):
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    # Derived from first/last name on save; kept for sorting and search.
    full_name = models.CharField(max_length=201, editable=False)
    headline = models.CharField(max_length=200, blank=True, help_text="Role or what they do.")
    notes = models.TextField(blank=True, help_text="Markdown.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="people")
    photo = models.ImageField(upload_to=photo_path, blank=True)
    # A birthday's year is often unknown (vCard "--0702"), so it is kept in parts.
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # What address books hold beyond that (`CARD_FIELDS`).
    name_prefix = models.CharField(max_length=50, blank=True, help_text="Dr., Ms., …")
    middle_name = models.CharField("middle names", max_length=100, blank=True)
    name_suffix = models.CharField(max_length=50, blank=True, help_text="Jr., PhD, …")
    nickname = models.CharField(max_length=200, blank=True)
    # The name as an address book wrote it (vCard FN), kept when it says more than the
    # first and last name (`Dr. Jane Q. Doe, PhD`); exported back as written.
    formatted_name = models.CharField("name as written", max_length=300, blank=True)
    gender = models.CharField(max_length=1, blank=True, choices=Gender.choices)
    gender_identity = models.CharField(max_length=100, blank=True)
    anniversary_month = models.PositiveSmallIntegerField(null=True, blank=True)
    anniversary_day = models.PositiveSmallIntegerField(null=True, blank=True)
    anniversary_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # As the address book wrote it: an IANA name ("Europe/Berlin") or a UTC offset.
    time_zone = models.CharField(max_length=64, blank=True)
    # "latitude,longitude" in decimal degrees (vCard GEO).
    geo = models.CharField("geographic position", max_length=60, blank=True)
    # A photo given as a link: kept as a link and never fetched (the file is `photo`).
    photo_url = models.URLField("photo link", max_length=1000, blank=True)
    organizations: models.ManyToManyField[Organization, Affiliation] = models.ManyToManyField(
        Organization, through="Affiliation", related_name="people"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name"]
        indexes = [models.Index(fields=["workspace", "full_name"], name="person_ws_name")]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.full_name = full_name(self.first_name, self.last_name)
        super().save(*args, **kwargs)


class ContactKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    URL = "url", "Link"
    ADDRESS = "address", "Address"
    IM = "im", "Messaging"


# The parts of a structured postal address (vCard ADR), in the card's order.
ADDRESS_PARTS = ("box", "extended", "street", "locality", "region", "code", "country")


class ContactPoint(WorkspaceScoped):
    """One e-mail address, phone number or link of a person.

    `normalized` (lower-cased e-mail, digits-only phone, lower-cased URL without a
    trailing slash, a LinkedIn profile in its canonical spelling: `people.linkedin`) is
    the dedupe key that importers look up. A LinkedIn profile link is also the person's
    LinkedIn identity; `connected_on` keeps when the connection was made (LinkedIn's
    "Connected On").
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=7, choices=ContactKind.choices)
    value = models.CharField(max_length=400)
    normalized = models.CharField(max_length=400, editable=False)
    # Its types, lower case and comma-separated as vCard's TYPE ("work, cell",
    # "home, pref"), or a label of the user's own ("Summer house").
    label = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    connected_on = models.DateField(null=True, blank=True)
    # An address's structure ({part: text} with the keys of `ADDRESS_PARTS`), when the
    # file gave one; `value` is then those parts on one line. Dropped when a member
    # rewrites the address, whose text is then the whole of it.
    address_parts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["kind", "position"]
        indexes = [
            models.Index(fields=["workspace", "kind", "normalized"], name="contact_ws_lookup"),
            # Leading with the workspace like every other index, so SQLite takes it for a
            # person's contact points even before ANALYZE has given it statistics.
            models.Index(
                fields=["workspace", "person", "kind", "position"], name="contact_ws_person"
            ),
        ]

    def __str__(self) -> str:
        return self.value


# Affiliations newest first and undated last on every database (a descending sort puts
# NULLs last on SQLite but first on PostgreSQL), so a person's current organization is
# the same on both.
NEWEST_STARTED = F("started_on").desc(nulls_last=True)


class Affiliation(WorkspaceScoped):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="affiliations"
    )
    role = models.CharField(max_length=200, blank=True)  # the job title (vCard TITLE)
    # The units below the organization (vCard ORG's later parts), joined with "; ".
    department = models.CharField(max_length=200, blank=True)
    # The part they play there (vCard ROLE: "Project lead"), beside the title.
    function = models.CharField(max_length=200, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = [F("ended_on").asc(nulls_first=True), NEWEST_STARTED, "pk"]
        indexes = [
            models.Index(fields=["workspace", "person"], name="affiliation_ws_person"),
            models.Index(fields=["workspace", "organization"], name="affiliation_ws_org"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="affiliation_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.role or 'at'} {self.organization}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class DetailKind(models.TextChoices):
    RELATED = "related", "Related person"
    OTHER = "other", "Other detail"


class PersonDetail(WorkspaceScoped):
    """What a person's address-book card said that has no field of its own.

    - `related`: a related person (vCard RELATED, Apple's X-ABRELATEDNAMES): `label` is
      the relation ("spouse", "assistant", or the user's own words), `value` a name or
      a URI.
    - `other`: any other property, kept verbatim to be shown under "other details" and
      exported back as it came: `label` is its name as written, group included
      ("item3.X-ABDATE"), `params` its parameters as written ("TYPE=home;PREF=1",
      without the leading ";"), `value` its value as written (still escaped, unfolded).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="details")
    kind = models.CharField(max_length=7, choices=DetailKind.choices)
    label = models.CharField(max_length=100, blank=True)
    params = models.CharField(max_length=400, blank=True)
    value = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "pk"]
        indexes = [
            models.Index(
                fields=["workspace", "person", "kind", "position"], name="detail_ws_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value[:60]}"


class DismissedDuplicate(WorkspaceScoped):
    """Two people a member said are not the same person: the duplicates page never
    suggests the pair again. The smaller id is always `person_a`."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "person_a", "person_b"], name="dismissedduplicate_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")),
                name="dismissedduplicate_ordered",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "person_b"], name="dismissedduplicate_ws_b")]

    def __str__(self) -> str:
        return f"{self.person_a_id} is not {self.person_b_id}"


class PeopleDeletion(WorkspaceScoped):
    """People deleted together from the list, kept as a snapshot of their rows (and the
    rows that went with them) so that the deletion can be undone for a while.

    `snapshot` maps a model label to its column names and rows (see `people.bulk`);
    `photos` lists the photo files to remove once the deletion can no longer be undone.
    """

    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField()
    snapshot = models.JSONField(default=dict)
    photos = models.JSONField(default=list, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "deleted_at"], name="peopledeletion_ws_at")]

    def __str__(self) -> str:
        return f"{self.count} people deleted {self.deleted_at:%Y-%m-%d %H:%M}"
