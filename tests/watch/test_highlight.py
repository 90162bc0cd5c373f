"""News that touches our needs or focus areas, and the reason in plain words."""

from __future__ import annotations

from followthrough.watch.highlight import highlighter
from tests.watch.helpers import our_profile


def test_an_item_that_meets_one_of_our_needs_says_how(workspace):
    our_profile(workspace)
    found = highlighter(workspace=workspace)
    reasons = found.reasons(
        "We are looking for youth volunteer partners\nOur summer program needs tutors and drivers."
    )
    assert reasons[0] == (
        "mentions “volunteer” and “tutors” — you need volunteer tutors for evening sessions"
    )


def test_an_item_that_names_a_focus_area_says_so(workspace):
    our_profile(workspace)
    reasons = highlighter(workspace=workspace).reasons(
        "A new report on food security in the valley"
    )
    assert reasons == ("mentions “food security” — one of your focus areas",)


def test_an_item_on_other_matters_is_not_highlighted(workspace):
    our_profile(workspace)
    found = highlighter(workspace=workspace)
    assert found.reasons("Annual report 2025\nWe served 12,400 families.") == ()
    assert found.reasons("Food drive this weekend") == ()  # one word of an area is not enough


def test_an_empty_own_profile_highlights_nothing(workspace):
    assert highlighter(workspace=workspace) is None
