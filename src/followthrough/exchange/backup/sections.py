"""The sections of a backup, in file order, with the models whose rows each carries — the
one list for the writer, the restorer and the check that nothing is forgotten.

Every model that carries a workspace or refers to a person (found from the model
metadata) must be in a section or in `LEFT_OUT` with the reason; the system check
`exchange.E001` stops start-up otherwise, so a new room's model cannot silently be
missing from backups.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core import checks
from django.db.models import Model

from followthrough.events.models import Attendance, Event, FocusPick
from followthrough.exchange.models import (
    BackupDownload,
    ColumnMapping,
    ExternalId,
    ImportBatch,
    ImportedObject,
    MailboxAccount,
)
from followthrough.mail.models import (
    EmailTemplate,
    MailSettings,
    Meeting,
    OutgoingMessage,
    SenderProfile,
)
from followthrough.matching.models import PartnerIndex, PartnerScore, PhraseVector
from followthrough.outreach.models import Outreach
from followthrough.people.models import (
    Affiliation,
    ContactPoint,
    DismissedDuplicate,
    Organization,
    PeopleDeletion,
    Person,
    PersonDetail,
    Tag,
)
from followthrough.people.registry import person_relations
from followthrough.relationships.models import FollowUp, Interaction, Relationship
from followthrough.reminders.models import CalendarFeed, DigestSubscription
from followthrough.sequences.models import Sequence, SequenceRun, SequenceStep
from followthrough.watch.models import NewsItem, WatchedFeed
from followthrough.workspaces.models import Membership, Workspace, WorkspaceScoped

SECTIONS: dict[str, tuple[type[Model], ...]] = {
    "workspace": (Workspace,),
    "users": (),  # the members' accounts, referred to by e-mail elsewhere
    "members": (Membership,),
    "digests": (DigestSubscription,),  # members' weekly digest preferences
    "tags": (Tag,),
    "organizations": (Organization, Organization.focus_areas.through),
    "people": (Person, Person.tags.through, ContactPoint, Affiliation, PersonDetail, Relationship),
    "external_ids": (ExternalId,),
    "events": (Event,),
    "attendances": (Attendance,),
    "focus_picks": (FocusPick,),
    "interactions": (Interaction,),
    "follow_ups": (FollowUp,),
    "sequences": (Sequence,),
    "sequence_steps": (SequenceStep,),
    "sequence_runs": (SequenceRun,),
    "outreach": (Outreach,),
    "dismissed_duplicates": (DismissedDuplicate,),
    "column_mappings": (ColumnMapping,),
    "mail_settings": (MailSettings,),  # without the password
    "sender_profiles": (SenderProfile,),
    "email_templates": (EmailTemplate,),
    "meetings": (Meeting,),
}
LEFT_OUT: dict[type[Model], str] = {
    BackupDownload: "backups prepared for download: files of a day, not data of the workspace",
    ImportBatch: "import history: the uploads it names are not in the backup",
    ImportedObject: "import history (what each import changed, for its undo)",
    PeopleDeletion: "undo snapshots of deleted people, kept for 30 minutes",
    PartnerScore: "derived: re-scored from the profiles on the first read after restore",
    PartnerIndex: "derived: what the partner scores were computed from",
    PhraseVector: "derived: embeddings, made again from the profiles' text when needed",
    WatchedFeed: "which organizations are watched and their fetch status: each one's feed "
    "address is kept with the organization, and watching it again is one click",
    OutgoingMessage: "the outbox: what was sent is on the timelines (with its Message-ID); "
    "a message still queued or failed is not carried to another server",
    NewsItem: "news items, a copy of what the feeds publish: read again once watched",
    CalendarFeed: "secrets: a calendar feed's token is kept only as a hash; members make a "
    "new address after a restore",
    MailboxAccount: "a member's IMAP login, password included: a backup file must never "
    "carry it; the messages it read are on the timelines, and polling again after a "
    "restore skips them by their Message-ID",
}


def backed_up() -> set[type[Model]]:
    return {model for models in SECTIONS.values() for model in models}


def check_sections(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every model carrying a workspace or referring to a person is in a section or
    left out with a reason."""
    known = backed_up() | set(LEFT_OUT)
    wanted: set[type[Model]] = {m for m in apps.get_models() if issubclass(m, WorkspaceScoped)}
    wanted |= {relation.model for relation in person_relations()}
    return [
        checks.Error(
            f"{model._meta.label_lower} is in no backup section and not left out of backups.",
            hint="Add it to a section of followthrough.exchange.backup.sections (and to the "
            "backup writer and restorer), or to LEFT_OUT with the reason.",
            obj=model,
            id="exchange.E001",
        )
        for model in sorted(wanted - known, key=lambda m: m._meta.label_lower)
    ]
