"""Whose addresses are whose: ours (the workspace's members, and any the caller adds)
and people's (their e-mail contact points)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from followthrough.exchange.formats.mail.headers import normalize
from followthrough.people.models import ContactKind, ContactPoint
from followthrough.people.services import normalize_contact
from followthrough.workspaces.models import Workspace

# Addresses whose people are remembered during one import (a mailbox repeats a few
# hundred correspondents thousands of times); past it the cache starts over.
CACHE_LIMIT = 20_000


def address_keys(address: str) -> tuple[str, ...]:
    """The keys an address may be stored under: people's contact points are normalized
    by `people.services.normalize_contact` (lower-cased), the mail reader's addresses
    also NFC-normalized; both are looked up."""
    keys = {normalize_contact(ContactKind.EMAIL, address), normalize(address)}
    return tuple(sorted(key for key in keys if key))


def our_addresses(workspace: Workspace, extra: Iterable[str] = ()) -> frozenset[str]:
    """The addresses whose messages are ours (logged as sent): the account e-mails of the
    workspace's members, plus `extra` (the CLI's `--me`, an IMAP account's login).
    The one place to add more (a workspace's configured sender address)."""
    users = get_user_model().objects.filter(memberships__workspace=workspace).exclude(email="")
    found = {key for email in users.values_list("email", flat=True) for key in address_keys(email)}
    found.update(key for address in extra for key in address_keys(address))
    return frozenset(found)


class PeopleByAddress:
    """The people of one workspace with an e-mail address, looked up many at a time and
    remembered (bounded) for the rest of the import."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._known: dict[str, tuple[int, ...]] = {}

    def load(self, addresses: Iterable[str]) -> None:
        """Look up in one query the addresses not looked up yet."""
        wanted = {key for address in addresses for key in address_keys(address)}
        wanted -= self._known.keys()
        if not wanted:
            return
        if len(self._known) + len(wanted) > CACHE_LIMIT:
            self._known = {}
        found: dict[str, set[int]] = {key: set() for key in wanted}
        rows = ContactPoint.objects.filter(
            workspace=self.workspace, kind=ContactKind.EMAIL, normalized__in=sorted(wanted)
        ).values_list("normalized", "person_id")
        for key, person_id in rows:
            found[key].add(person_id)
        self._known.update((key, tuple(sorted(ids))) for key, ids in found.items())

    def people(self, address: str) -> tuple[int, ...]:
        """The ids of the people with this address (lowest first); `load` it first."""
        ids: set[int] = set()
        for key in address_keys(address):
            if key not in self._known:
                self.load([address])
            ids.update(self._known.get(key, ()))
        return tuple(sorted(ids))
