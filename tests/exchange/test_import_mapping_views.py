"""The column-mapping screen of the web import: an "any CSV" upload without a saved
mapping shows its columns, samples and the suggested fields; the chosen mapping goes to
the preview and can be saved; bad mappings are named and the choices kept; viewers get
403 and strangers 404."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followthrough.exchange.imports import tasks
from followthrough.exchange.models import ColumnMapping, ImportBatch, ImportStatus
from followthrough.people.models import Person

DATA = Path(__file__).parent / "data"
CP1252 = "mapping_cp1252_semicolon.csv"
# The cp1252 file's columns, in order: the suggestion maps all but Familienname/Bemerkung.
VORNAME, FAMILIENNAME, MAIL, TELEFON, GEBURTSTAG, BEMERKUNG = (f"column_{i}" for i in range(6))
pytestmark = pytest.mark.usefixtures("media_root")


def upload(client, workspace, name=CP1252, content=None, **fields):
    content = (DATA / name).read_bytes() if content is None else content
    data = {"format": "csv", "time_zone": "Europe/Berlin", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("exchange:import", args=[workspace.slug]), data)


def token_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["token"][0]


def columns_url(workspace, token: str) -> str:
    return reverse("exchange:import-columns", args=[workspace.slug]) + f"?token={token}"


def choices(response) -> dict[str, str]:
    form = response.context["form"]
    return {name: form[name].value() for name in form.fields if name.startswith("column_")}


def submit(client, workspace, token, **overrides):
    data = {
        "token": token,
        VORNAME: "first_name",
        FAMILIENNAME: "last_name",
        MAIL: "email",
        TELEFON: "phone",
        GEBURTSTAG: "birthday",
        BEMERKUNG: "notes",
        **overrides,
    }
    return client.post(reverse("exchange:import-columns", args=[workspace.slug]), data)


def test_it_shows_the_columns_samples_and_suggested_fields_of_a_cp1252_file(
    owner_client, workspace
):
    response = upload(owner_client, workspace)
    assert response.status_code == 303
    token = token_of(response)
    assert response["Location"] == columns_url(workspace, token)
    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose the columns" in html
    for text in ("Vorname", "Familienname", "Jürgen", "Müller", "Château", "+49 221 555 01"):
        assert text in html
    assert choices(page) == {
        VORNAME: "first_name", FAMILIENNAME: "", MAIL: "email",
        TELEFON: "phone", GEBURTSTAG: "birthday", BEMERKUNG: "",
    }  # fmt: skip
    assert '<option value="first_name" selected>First name</option>' in html
    assert f'<label for="id_{VORNAME}">Vorname</label>' in html
    assert not Person.objects.exists() and not ImportBatch.objects.exists()


def test_a_utf8_bom_file_shows_its_first_column_by_its_name(owner_client, workspace):
    response = upload(owner_client, workspace, name="mapping_utf8_bom.csv")
    page = owner_client.get(response["Location"])
    html = page.content.decode()
    assert "\ufeff" not in html
    assert '<label for="id_column_0">Contact</label>' in html
    assert "Ada Lovelace" in html and "math; history" in html
    assert choices(page)["column_0"] == "full_name"
    assert choices(page)["column_1"] == "email"  # E-Mail-Adresse


def test_the_chosen_mapping_previews_the_mapped_people_and_imports_them(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    token = token_of(upload(owner_client, workspace))
    preview = submit(owner_client, workspace, token)
    assert preview.status_code == 200, preview.context.get("import_error")
    assert preview.context["result"].created == 4
    html = preview.content.decode()
    assert "Import preview" in html and "Jürgen Müller" in html and "Søren Ærø" in html
    assert "“Familienname” as Last name" in html
    assert 'href="' + columns_url(workspace, token).replace("&", "&amp;") in html
    assert not Person.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("exchange:import-run", args=[workspace.slug]), {"token": token})
    batch = ImportBatch.objects.get(workspace=workspace)
    assert batch.status == ImportStatus.DONE, batch.error
    juergen = Person.objects.get(workspace=workspace, first_name="Jürgen")
    assert juergen.last_name == "Müller" and "Kennt die Tafel" in juergen.notes


def test_back_from_the_preview_the_screen_keeps_the_mapping_chosen(owner_client, workspace):
    token = token_of(upload(owner_client, workspace))
    submit(owner_client, workspace, token, **{BEMERKUNG: ""})
    again = owner_client.get(columns_url(workspace, token))
    assert again.status_code == 200
    assert choices(again)[FAMILIENNAME] == "last_name"
    assert choices(again)[BEMERKUNG] == ""


def test_save_as_creates_the_mapping_and_the_same_name_updates_it(owner_client, workspace):
    token = token_of(upload(owner_client, workspace))
    response = submit(owner_client, workspace, token, save="on", name="Tafel Köln")
    assert response.status_code == 200
    assert "Saved the column mapping “Tafel Köln”." in response.content.decode()
    saved = ColumnMapping.objects.get(workspace=workspace, name="Tafel Köln")
    assert saved.mapping["Familienname"] == "last_name"

    response = submit(
        owner_client, workspace, token, save="on", name="Tafel Köln", **{BEMERKUNG: ""}
    )
    assert response.status_code == 200
    assert ColumnMapping.objects.filter(workspace=workspace).count() == 1
    saved.refresh_from_db()
    assert saved.mapping["Bemerkung"] == "" and saved.mapping["Vorname"] == "first_name"


def test_a_saved_mapping_goes_straight_to_the_preview_or_opens_the_screen_filled_in(
    owner_client, workspace
):
    ColumnMapping.objects.create(
        workspace=workspace,
        name="Tafel",
        mapping={"Vorname": "first_name", "Familienname": "last_name", "Mail": "email"},
    )
    form = owner_client.get(reverse("exchange:import", args=[workspace.slug]))
    assert '<option value="Tafel">Tafel</option>' in form.content.decode()

    straight = upload(owner_client, workspace, mapping="Tafel")
    assert straight.status_code == 200
    assert straight.context["result"].created == 4
    assert "Change the columns" in straight.content.decode()

    edit = upload(owner_client, workspace, mapping="Tafel", edit_mapping="on")
    assert edit.status_code == 303
    screen = owner_client.get(edit["Location"])
    assert choices(screen)[FAMILIENNAME] == "last_name"
    assert choices(screen)[TELEFON] == ""  # the saved mapping ignores it
    assert screen.context["form"]["name"].value() == "Tafel"


def test_a_saved_mapping_that_does_not_fit_shows_the_screen_naming_what_is_missing(
    owner_client, workspace, media_root
):
    ColumnMapping.objects.create(
        workspace=workspace, name="crm", mapping={"Full Name": "full_name", "Mail": "email"}
    )
    response = upload(owner_client, workspace, mapping="crm")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose the columns" in html and "cannot be imported with these columns" in html
    assert "“Full Name”" in html  # the column the file lacks
    assert choices(response)[MAIL] == "email" and choices(response)[VORNAME] == ""
    assert list(Path(media_root).rglob("*.upload"))  # kept, to map it again


def test_no_name_or_email_column_is_refused_and_the_choices_kept(owner_client, workspace):
    token = token_of(upload(owner_client, workspace))
    blank = {VORNAME: "", FAMILIENNAME: "", MAIL: "", GEBURTSTAG: ""}
    response = submit(owner_client, workspace, token, **blank)
    assert response.status_code == 422
    html = response.content.decode()
    assert "No column is mapped to a name (First name, Last name, Full name)" in html
    assert choices(response)[TELEFON] == "phone" and choices(response)[BEMERKUNG] == "notes"
    assert not ColumnMapping.objects.exists()


def test_two_birthday_columns_are_refused_naming_both(owner_client, workspace):
    token = token_of(upload(owner_client, workspace))
    response = submit(owner_client, workspace, token, **{BEMERKUNG: "birthday"}, save="on")
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors[BEMERKUNG] == [
        "Only one column can be Birthday: “Geburtstag” and “Bemerkung” both are."
    ]
    html = response.content.decode()
    assert f'href="#id_{BEMERKUNG}"' in html  # the summary links to the select
    assert 'aria-invalid="true"' in html
    assert choices(response)[BEMERKUNG] == "birthday"
    assert form["name"].errors == ["Give the mapping a name to save it under."]
    assert not ColumnMapping.objects.exists()


def test_a_value_the_mapping_cannot_read_names_line_and_column(owner_client, workspace):
    token = token_of(upload(owner_client, workspace))
    response = submit(owner_client, workspace, token, **{TELEFON: "birthday", GEBURTSTAG: ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Line 2, column “Telefon”" in html
    assert response.context["form"].errors[TELEFON]
    assert choices(response)[TELEFON] == "birthday"
    assert tasks.upload_options(workspace, token) is not None  # kept, to map it again


def test_a_file_that_is_no_csv_is_refused_on_the_form(owner_client, workspace, media_root):
    page = upload(owner_client, workspace, name="vcard_4.0.vcf")
    assert page.status_code == 422  # on the upload form itself, not the columns screen
    assert "it looks like a vCard file" in page.content.decode()
    assert "Nothing was saved" in page.content.decode()
    assert not list(Path(media_root).rglob("*.upload"))


def test_a_gone_or_bogus_token_leads_back_to_the_form(owner_client, workspace):
    for token in ("", "../../etc/passwd", "x" * 32):
        response = owner_client.get(columns_url(workspace, token))
        assert response.status_code == 302
        assert response["Location"] == reverse("exchange:import", args=[workspace.slug])
    follow = owner_client.post(
        reverse("exchange:import-columns", args=[workspace.slug]), {"token": "y" * 32}, follow=True
    )
    assert "That upload is no longer there" in follow.content.decode()


def test_an_upload_in_another_format_has_no_columns_screen(owner_client, workspace):
    token = tasks.store_upload(
        workspace,
        SimpleUploadedFile("c.vcf", (DATA / "vcard_4.0.vcf").read_bytes()),
        {"format": "vcard", "time_zone": "UTC"},
    )
    assert owner_client.get(columns_url(workspace, token)).status_code == 404


def test_viewers_cannot_reach_the_screen_and_strangers_get_404(
    owner_client, viewer_client, outsider_client, workspace, other_workspace
):
    token = token_of(upload(owner_client, workspace))
    assert viewer_client.get(columns_url(workspace, token)).status_code == 403
    assert submit(viewer_client, workspace, token, save="on", name="x").status_code == 403
    assert upload(viewer_client, workspace).status_code == 403
    assert outsider_client.get(columns_url(workspace, token)).status_code == 404
    assert submit(outsider_client, workspace, token).status_code == 404
    # Their own workspace with the victim's token: no such upload there.
    theirs = outsider_client.get(columns_url(other_workspace, token))
    assert theirs.status_code == 302
    assert not ColumnMapping.objects.exists()
    assert tasks.upload_options(workspace, token)["mapping"] == {}
