"""`followthrough import mbox FILE` and `followthrough import eml FILE…` end to end."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from followthrough.exchange.models import ImportBatch
from followthrough.outreach.models import Outreach, OutreachState
from followthrough.relationships.models import Interaction
from tests.exchange.mailbox.helpers import DATA, row_counts
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(workspace):
    return make_person(workspace, first_name="Sam", emails=["sam@youth.example"])


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def test_it_imports_an_mbox_and_prints_the_result(workspace, sam):
    text = _call("mbox", str(DATA / "google_takeout.mbox"), "--workspace", workspace.slug)
    batch = ImportBatch.objects.get()
    assert f"as import #{batch.pk}" in text
    assert "read 6, logged 2 (1 sent, 1 received)" in text
    assert "left out (spam): 1" in text
    assert "lee@shelter.example" in text  # the top unmatched addresses, to add them
    assert f"undo with: followthrough import_undo {batch.pk}" in text
    assert Outreach.objects.get(person=sam).state == OutreachState.REPLIED


def test_a_dry_run_saves_nothing(workspace, sam):
    before = (row_counts(), ImportBatch.objects.count())
    text = _call("mbox", str(DATA / "google_takeout.mbox"), "--dry-run")
    assert "Dry run of google_takeout.mbox: nothing was saved." in text
    assert "logged 2" in text
    assert (row_counts(), ImportBatch.objects.count()) == before


def test_me_makes_an_address_ours(workspace, tmp_path):
    dana = make_person(workspace, first_name="Dana", emails=["dana@food-bank.example"])
    eml = tmp_path / "sent.eml"
    eml.write_bytes(
        b"Message-ID: <x1@riverside.example>\nDate: Mon, 03 Mar 2025 09:00:00 +0000\n"
        b"From: office@riverside.example\nTo: dana@food-bank.example\nSubject: Hi\n\nHi.\n"
    )
    _call("eml", str(eml), "--me", "office@riverside.example", "--me", "x@riverside.example")
    assert list(Interaction.objects.filter(person=dana).values_list("kind", flat=True)) == [
        "email_sent"
    ]


def test_several_eml_files_are_one_import(workspace, sam, tmp_path):
    paths = []
    for number in (1, 2):
        path = tmp_path / f"m{number}.eml"
        path.write_bytes(
            f"Message-ID: <y{number}@youth.example>\nDate: Mon, 0{number} Mar 2025 09:00 +0000\n"
            f"From: sam@youth.example\nTo: alice@example.org\nSubject: S{number}\n\nHi.\n".encode()
        )
        paths.append(str(path))
    text = _call("eml", *paths)
    assert "m1.eml and 1 more" in text
    assert Interaction.objects.filter(person=sam).count() == 2


def test_it_refuses_options_of_other_formats_and_a_second_mbox(workspace):
    mbox = str(DATA / "google_takeout.mbox")
    with pytest.raises(CommandError, match="--mapping is not for e-mail files"):
        _call("mbox", mbox, "--mapping", "{}")
    with pytest.raises(CommandError, match=r"one \.mbox file at a time"):
        _call("mbox", mbox, mbox)
    with pytest.raises(CommandError, match="--me is for e-mail files"):
        _call("vcard", mbox, "--me", "a@b.example")


def test_a_file_that_is_no_mbox_fails_and_says_so(workspace, tmp_path):
    path = tmp_path / "contacts.mbox"
    path.write_text("First,Last\nDana,Reyes\n")
    with pytest.raises(CommandError, match=r"contacts\.mbox: .*Nothing was logged"):
        _call("mbox", str(path))
    assert ImportBatch.objects.get().status == "failed"
