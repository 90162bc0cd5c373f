"""The UIDs our own exports give rows that came with none: `followthrough-<slug>-<id>`
for a person and `followthrough-<slug>-org-<id>` for an organization (vCard), and
`followthrough-<slug>-event-<id>` for an event (iCalendar). Read back into the workspace
of that slug they name the row they came from, so imports match them by id and do not
keep them as external ids (the row is that card already). A file from another workspace
names other rows: its UIDs are kept, as any source's.

An attendee without an e-mail address gets the calendar address
`urn:x-followthrough:<slug>-<id>` in our iCalendar export; read back, it stands for that
person's UID (`uid_of_address`), so the attendee is found as their vCard would be."""

from __future__ import annotations

UID_SYSTEM = "vcard-uid"
ADDRESS_PREFIX = "urn:x-followthrough:"


def person_address(slug: str, pk: int) -> str:
    """The calendar address of a person of workspace `slug` who has no e-mail address."""
    return f"{ADDRESS_PREFIX}{slug}-{pk}"


def uid_of_address(address: str) -> str:
    """The person UID one of our calendar addresses stands for; "" for any other."""
    if address.startswith(ADDRESS_PREFIX) and len(address) > len(ADDRESS_PREFIX):
        return f"followthrough-{address[len(ADDRESS_PREFIX) :]}"
    return ""


def own_id(uid: str, slug: str, *, kind: str = "") -> int | None:
    """The id in `uid` when it is this workspace's own UID of that kind ("" for a
    person, "org", "event"), else None."""
    prefix = f"followthrough-{slug}-" + (f"{kind}-" if kind else "")
    rest = uid[len(prefix) :] if uid.startswith(prefix) else ""
    return int(rest) if rest.isdigit() and rest.isascii() else None


def pop_own_id(external_ids: dict[str, str], slug: str, *, kind: str = "") -> int | None:
    """Take this workspace's own UID out of a record's ids; its id, or None."""
    uid = external_ids.get(UID_SYSTEM, "")
    pk = own_id(uid, slug, kind=kind) if uid else None
    if pk is not None:
        del external_ids[UID_SYSTEM]
    return pk
