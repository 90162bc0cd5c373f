"""The demo workspace: a small nonprofit's network, coherent enough to tour every page.

`demo_load()` (re)creates the workspace with slug `demo` — the Riverside Literacy Project,
its two staff members, ~60 people, 26 organizations, events, interactions, follow-ups in
every state and relationships at every stage — through the same write services the app
uses, so the data obeys the app's rules. It is deterministic (seeded) and relative to
`now`, so Today always has something due, something slipping and something coming up.
"""

from __future__ import annotations

import random
import secrets
import unicodedata
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from followthrough.events.models import Event, FocusPick, Rsvp
from followthrough.events.services import attendance_add, event_create, focus_pick
from followthrough.people.models import Organization, Person
from followthrough.people.services import (
    affiliation_add,
    organization_create,
    organization_update,
    person_create,
)
from followthrough.relationships.models import (
    FollowUp,
    FollowUpStatus,
    Interaction,
    InteractionKind,
    Relationship,
    Stage,
)
from followthrough.relationships.services import (
    follow_up_cancel,
    follow_up_create,
    follow_up_done,
    follow_up_snooze,
    organization_log_noticed,
    relationship_log_interaction,
    relationship_update,
)
from followthrough.sequences.services.editing import sequence_add_suggested
from followthrough.sequences.services.runs import run_start
from followthrough.site import demo_content as content
from followthrough.site.demo_news import load_demo_news
from followthrough.site.services import workspace_open
from followthrough.watch.models import NewsItem
from followthrough.workspaces.invitations import invitation_accept, invitation_create
from followthrough.workspaces.models import Role, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_SLUG = "demo"
DEMO_TIMEZONE = "America/Chicago"
SEED = 42


class StaffSpec(NamedTuple):
    email: str
    first_name: str
    last_name: str
    title: str
    role: str


STAFF = (
    StaffSpec("dana@demo.followthrough.test", "Dana", "Okafor", "Executive Director", Role.OWNER),
    StaffSpec("sam@demo.followthrough.test", "Sam", "Rivera", "Development Officer", Role.MEMBER),
)

# What happens after two people first meet, by the stage the relationship reached.
STAGE_STEPS: dict[int, tuple[str, ...]] = {
    Stage.MET: (),
    Stage.FOLLOWED_UP: ("email_sent", "email_received"),
    Stage.MET_ONE_TO_ONE: ("email_sent", "email_received", "coffee"),
    Stage.ONGOING: (
        "email_sent",
        "email_received",
        "coffee",
        "note",
        "call",
        "email_sent",
        "coffee",
    ),
    Stage.PARTNER: (
        "email_sent",
        "email_received",
        "coffee",
        "call",
        "note",
        "email_sent",
        "coffee",
        "email_received",
        "call",
        "coffee",
    ),
}
# For people met outside any recorded event: how long before the last touch they met.
MET_ELSEWHERE_DAYS: dict[int, int] = {
    Stage.FOLLOWED_UP: 9,
    Stage.MET_ONE_TO_ONE: 40,
    Stage.ONGOING: 240,
}


class DemoError(RuntimeError):
    """The demo cannot be loaded (e.g. a real workspace already uses the slug `demo`)."""


@dataclass(frozen=True)
class DemoResult:
    """What `demo_load` made: the workspace, where to open it, and how to log in."""

    workspace: Workspace
    path: str
    emails: tuple[str, ...]
    password: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def email(self) -> str:
        """The first login (the executive director, the workspace's owner)."""
        return self.emails[0]


@dataclass
class _Demo:
    """The state shared while building: the clock, the seeded dice and what exists so far."""

    workspace: Workspace
    now: datetime
    rng: random.Random
    staff: list[User]
    orgs: dict[str, Organization] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    events: dict[str, Event] = field(default_factory=dict)

    def day(self, offset: int, hour: int, minute: int = 0) -> datetime:
        """`hour:minute` local time, `offset` days from today in the workspace's zone."""
        zone = zoneinfo.ZoneInfo(self.workspace.timezone)
        date = self.now.astimezone(zone).date() + timedelta(days=offset)
        return datetime.combine(date, time(hour, minute), tzinfo=zone)

    def owner_of(self, index: int) -> User:
        return self.staff[index % len(self.staff)]


@transaction.atomic
def demo_load(*, now: datetime | None = None, password: str | None = None) -> DemoResult:
    """Create the demo workspace, replacing an earlier demo (idempotent, one transaction).

    The staff logins are reused if they exist and get `password` (a fresh random one when
    not given). Raises `DemoError` if a workspace that is not the demo owns the slug.
    """
    now = now or timezone.now()
    password = password or secrets.token_urlsafe(12)
    _remove_old_demo()
    staff = [_staff_user(spec, password) for spec in STAFF]
    workspace = workspace_open(
        name=content.HOME.name, owner=staff[0], slug=DEMO_SLUG, timezone=DEMO_TIMEZONE
    )
    for user, spec in zip(staff[1:], STAFF[1:], strict=True):
        # The staff join the way a team does: an owner's invitation, accepted.
        _, token = invitation_create(
            workspace=workspace, email=spec.email, role=spec.role, created_by=staff[0], now=now
        )
        invitation_accept(token=token, user=user, now=now)
    demo = _Demo(workspace=workspace, now=now, rng=random.Random(SEED), staff=staff)
    _load_directory(demo)
    _load_events(demo)
    for index, story in enumerate(content.STORIES):
        _play_story(demo, demo.people[index], story, demo.owner_of(index))
    _load_follow_ups(demo)
    _load_noticed(demo)
    _load_sequences(demo)
    load_demo_news(demo.orgs, now)
    path = reverse("agenda:today", kwargs={"workspace_slug": workspace.slug})
    return DemoResult(
        workspace=workspace,
        path=path,
        emails=tuple(s.email for s in STAFF),
        password=password,
        counts=demo_counts(workspace),
    )


def _load_sequences(demo: _Demo) -> None:
    """The suggested "After an event" sequence, running for two people met lately, so
    the person page shows a run and its next step (and the sequence page one in use)."""
    sequence = sequence_add_suggested(workspace=demo.workspace)
    for person in demo.people[-2:]:
        run_start(sequence=sequence, person=person, actor=demo.staff[0], now=demo.now)


def demo_counts(workspace: Workspace) -> dict[str, int]:
    """How many rows of each kind the workspace holds (for the command and the tests)."""
    follow_ups = FollowUp.objects.for_workspace(workspace)
    counts = {
        "people": Person.objects.for_workspace(workspace).count(),
        "organizations": Organization.objects.for_workspace(workspace).count(),
        "events": Event.objects.for_workspace(workspace).count(),
        "focus picks": FocusPick.objects.for_workspace(workspace).count(),
        "interactions": Interaction.objects.for_workspace(workspace).count(),
        "follow-ups": follow_ups.count(),
        "open follow-ups": follow_ups.filter(status=FollowUpStatus.OPEN).count(),
        "news items": NewsItem.objects.for_workspace(workspace).count(),
    }
    stages = Counter(Relationship.objects.for_workspace(workspace).values_list("stage", flat=True))
    counts.update({f"stage {Stage(s).label}": stages[s] for s in Stage.values})
    return counts


def _remove_old_demo() -> None:
    old = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if old is None:
        return
    staff_emails = [spec.email for spec in STAFF]
    if old.memberships.exclude(user__email__in=staff_emails).exists():
        raise DemoError(
            f"A workspace with the slug “{DEMO_SLUG}” exists and has members besides the demo "
            "staff, so it is not the demo; rename its slug before loading the demo."
        )
    old.delete()  # its memberships, people, events … go with it (all cascade)


def _staff_user(spec: StaffSpec, password: str) -> User:
    user_model = get_user_model()
    user = user_model.objects.filter(username=spec.email).first()
    if user is None:
        user = user_model(username=spec.email, email=spec.email)
    user.first_name, user.last_name, user.is_active = spec.first_name, spec.last_name, True
    user.set_password(password)
    user.save()
    return user


def _load_directory(demo: _Demo) -> None:
    """Our own profile, the organizations around us, and the people who work there."""
    home = content.HOME
    assert demo.workspace.organization is not None  # workspace_create made it
    organization_update(
        organization=demo.workspace.organization,
        mission=home.mission,
        offers=home.offers,
        needs=home.needs,
        focus_areas=home.focus_areas,
        location="Riverside",
        website="https://riversideliteracy.example",
    )
    locations = ("Riverside", "Riverside, east side", "North Valley", "Harbor District")
    for spec in content.ORGANIZATIONS:
        demo.orgs[spec.key] = organization_create(
            workspace=demo.workspace,
            name=spec.name,
            mission=spec.mission,
            focus_areas=spec.focus_areas,
            offers=spec.offers,
            needs=spec.needs,
            website=f"https://{spec.key}.example",
            location=demo.rng.choice(locations),
        )
    for index, (first, last, org_key, role) in enumerate(_person_specs(demo.rng)):
        demo.people.append(_add_person(demo, index, first, last, org_key, role))
    _add_second_affiliations(demo)


def _person_specs(rng: random.Random) -> list[tuple[str, str, str | None, str]]:
    """60 (first, last, organization key, role): every organization's lead, more staff,
    and a few independents — shuffled, so stories land on a mix of them."""
    firsts, lasts = list(content.FIRST_NAMES), list(content.LAST_NAMES)
    rng.shuffle(firsts)
    rng.shuffle(lasts)
    orgs = content.ORGANIZATIONS
    slots: list[tuple[str | None, str]] = [(o.key, o.lead_role) for o in orgs]
    slots += [(rng.choice(orgs).key, rng.choice(content.STAFF_ROLES)) for _ in range(30)]
    slots += [(None, headline) for headline in content.INDEPENDENT_HEADLINES]
    rng.shuffle(slots)
    return [(f, la, key, role) for f, la, (key, role) in zip(firsts, lasts, slots, strict=False)]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _add_person(
    demo: _Demo, index: int, first: str, last: str, org_key: str | None, role: str
) -> Person:
    organization = demo.orgs[org_key] if org_key else None
    domain = f"{org_key}.example" if org_key else "mail.example"
    tags = _tags_for(demo.rng, org_key, role)
    noticed_only = index >= len(content.STORIES)
    owner = None if noticed_only and index % 3 == 0 else demo.owner_of(index)
    return person_create(
        workspace=demo.workspace,
        first_name=first,
        last_name=last,
        headline=f"{role}, {organization.name}" if organization else role,
        emails=[f"{_ascii(first)}.{_ascii(last)}@{domain}"],
        phones=[f"+1 555-01{index:02d}"] if demo.rng.random() < 0.4 else [],
        tags=tags,
        organization=organization,
        role=role if organization else "",
        owner=owner,
        notes=(
            "Wants to hear about our tutor training." if noticed_only and index % 4 == 0 else ""
        ),
    )


def _tags_for(rng: random.Random, org_key: str | None, role: str) -> list[str]:
    tags = []
    if org_key in ("foundation", "rotary", "scholarships"):
        tags.append("funder")
    if org_key == "coalition":
        tags.append("coalition")
    if role.startswith("Board") or rng.random() < 0.1:
        tags.append("board prospect")
    if org_key is None and role.startswith("Reporter"):
        tags.append("press")
    if rng.random() < 0.25:
        tags.append(rng.choice(("volunteer", "donor")))
    return tags


def _add_second_affiliations(demo: _Demo) -> None:
    """Some people also sit on a board elsewhere; two left a former job."""
    keys = list(demo.orgs)
    for person in demo.rng.sample(demo.people, 8):
        demo.rng.shuffle(keys)
        current = set(person.affiliations.values_list("organization__pk", flat=True))
        other = next(demo.orgs[k] for k in keys if demo.orgs[k].pk not in current)
        affiliation_add(
            person=person,
            organization=other,
            role="Board Member",
            started_on=(demo.now - timedelta(days=700)).date(),
        )
    for person in demo.rng.sample(demo.people, 2):
        affiliation_add(
            person=person,
            organization=demo.orgs["volunteers"],
            role="Volunteer Coordinator",
            started_on=(demo.now - timedelta(days=2400)).date(),
            ended_on=(demo.now - timedelta(days=900)).date(),
        )


def _load_events(demo: _Demo) -> None:
    """Past and upcoming events; past invitees who declined, and upcoming guest lists.

    Who attended past events follows from the stories (see `_play_story`).
    """
    for spec in content.EVENTS:
        starts_at = demo.day(spec.days_from_now, spec.hour, spec.minute)
        demo.events[spec.key] = event_create(
            workspace=demo.workspace,
            title=spec.title,
            kind=spec.kind,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=spec.hours),
            location=spec.location,
        )
    noticed = demo.people[len(content.STORIES) :]
    for person in noticed[:3]:
        attendance_add(
            event=demo.events["breakfast"], person=person, rsvp=Rsvp.DECLINED, now=demo.now
        )
    answers = (Rsvp.ACCEPTED, Rsvp.ACCEPTED, Rsvp.TENTATIVE, Rsvp.UNKNOWN)
    guests = noticed[3:9] + demo.people[0 : len(content.STORIES) : 6]
    for index, person in enumerate(guests):
        attendance_add(
            event=demo.events["spring"],
            person=person,
            rsvp=answers[index % len(answers)],
            now=demo.now,
        )
    for person in (*noticed[9:11], demo.people[3]):
        attendance_add(event=demo.events["librarygala"], person=person, now=demo.now)


def _play_story(demo: _Demo, person: Person, story: content.Story, owner: User) -> None:
    """Meet the person (at an event, maybe picking them), then follow the story's steps."""
    pick = None
    if story.met_at is not None:
        event = demo.events[story.met_at]
        attendance_add(event=event, person=person, checked_in=True, actor=owner, now=demo.now)
        met_at = event.starts_at
        if story.pick:
            pick = focus_pick(
                event=event,
                person=person,
                actor=owner,
                override=story.pick == "override",
                reason=f"Works on {_interest(person)}",
                now=(event.ends_at or met_at) + timedelta(hours=1),
            )
    else:
        last = demo.day(-story.days_ago, 11)
        met_at = last - timedelta(days=MET_ELSEWHERE_DAYS[story.stage])
        relationship_log_interaction(
            person=person,
            kind=InteractionKind.MET_AT_EVENT,
            occurred_at=met_at,
            actor=owner,
            summary="Met at the Rotary lunch",
        )
    last_at = demo.day(-story.days_ago, demo.rng.choice((9, 11, 14, 16)))
    steps = STAGE_STEPS[story.stage]
    for number, kind in enumerate(steps, start=1):
        occurred_at = met_at + (last_at - met_at) * number / len(steps)
        if pick is not None and number == 1 and story.pick == "done":
            follow_up_done(follow_up=pick.follow_ups.get(), now=occurred_at)
        relationship_log_interaction(
            person=person,
            kind=kind,
            occurred_at=occurred_at,
            actor=owner,
            summary=_summary(demo.rng, kind, person),
        )
    if pick is not None and story.pick == "cancelled":
        follow_up_cancel(follow_up=pick.follow_ups.get())
    if pick is not None and story.pick == "override":
        follow_up_snooze(follow_up=pick.follow_ups.get(), days=2, now=demo.now)
    if story.stage in (Stage.ONGOING, Stage.PARTNER):
        relationship_update(relationship=Relationship.objects.get(person=person), stage=story.stage)


def _interest(person: Person) -> str:
    org = person.affiliations.select_related("organization").first()
    if org is None:
        return "literacy in the valley"
    tags = list(org.organization.focus_areas.values_list("name", flat=True)[:1])
    return tags[0] if tags else org.organization.name


def _summary(rng: random.Random, kind: str, person: Person) -> str:
    affiliation = person.affiliations.select_related("organization").first()
    org = affiliation.organization.name if affiliation else "their work"
    return rng.choice(content.SUMMARIES[kind]).format(first=person.first_name, org=org)


def _load_follow_ups(demo: _Demo) -> None:
    """Hand-made follow-ups in every state: due today, overdue, snoozed, ahead, done,
    cancelled. Made after the stories, so no logged outreach closes them."""
    p = demo.people
    today = max(demo.now, demo.day(0, 17))

    def make(index: int, title: str, due_at: datetime) -> FollowUp:
        person = p[index]
        return follow_up_create(
            person=person,
            title=title.format(first=person.first_name),
            due_at=due_at,
            assigned_to=demo.owner_of(index),
        )

    make(14, "Send {first} the tutor-training dates", today)
    make(5, "Call {first} about co-hosting the summer reading kickoff", today)
    make(9, "Thank {first} for the coffee", demo.day(-2, 9))
    make(18, "Share the volunteer-tutor flyer with {first}", demo.day(-6, 9))
    make(3, "Draft a joint grant outline with {first}", demo.day(5, 9))
    snoozed = make(4, "Ask {first} about board nominations", demo.day(-3, 9))
    follow_up_snooze(follow_up=snoozed, days=2, now=demo.now)
    follow_up_snooze(follow_up=snoozed, days=2, now=demo.now)
    done = make(0, "Introduce {first} to the foundation's program officer", demo.day(-22, 9))
    follow_up_done(follow_up=done, now=demo.day(-20, 15))
    done = make(12, "Send {first} a coffee invitation", demo.day(-40, 9))
    follow_up_done(follow_up=done, now=demo.day(-39, 10))
    follow_up_cancel(
        follow_up=make(20, "Invite {first} to volunteer orientation", demo.day(-10, 9))
    )


def _load_noticed(demo: _Demo) -> None:
    """What we noticed organizations doing lately."""
    for key, days_ago, summary in content.NOTICED:
        organization_log_noticed(
            organization=demo.orgs[key],
            summary=summary,
            occurred_at=demo.day(-days_ago, 9),
            actor=demo.staff[0],
        )
