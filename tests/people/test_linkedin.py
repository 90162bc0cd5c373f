"""LinkedIn profile links: every spelling of a profile is one key."""

from __future__ import annotations

import pytest

from followthrough.people.linkedin import is_profile, linkedin_canonical
from followthrough.people.models import ContactKind
from followthrough.people.services import normalize_contact


@pytest.mark.parametrize(
    ("value", "profile"),
    [
        ("https://www.linkedin.com/in/ada-lovelace/", "https://www.linkedin.com/in/ada-lovelace"),
        (
            "http://uk.linkedin.com/in/Ada-Lovelace?trk=x",
            "https://www.linkedin.com/in/ada-lovelace",
        ),
        ("linkedin.com/in/Ada%C3%A9", "https://www.linkedin.com/in/adaé"),
        ("www.linkedin.com/pub/ada#top", "https://www.linkedin.com/in/ada"),
        ("https://www.linkedin.com:443//in//ada", "https://www.linkedin.com/in/ada"),
        ("https://www.linkedin.com/company/acme", ""),
        ("https://example.org/in/ada", ""),
        ("https://notlinkedin.com.evil.org/in/ada", ""),
        ("", ""),
    ],
)
def test_it_spells_every_profile_url_one_way(value, profile):
    assert linkedin_canonical(value) == profile
    assert is_profile(profile) is bool(profile)


def test_a_profile_link_is_normalized_to_its_canonical_url_and_other_links_are_not():
    assert normalize_contact(ContactKind.URL, "  LinkedIn.com/in/Ada/ ") == (
        "https://www.linkedin.com/in/ada"
    )
    assert normalize_contact(ContactKind.URL, "https://Example.org/About/") == (
        "https://example.org/about"
    )
    assert normalize_contact(ContactKind.URL, "https://www.linkedin.com/company/acme/") == (
        "https://www.linkedin.com/company/acme"
    )
