import pytest
from django.urls import reverse

from tests.factories import make_event, make_person, make_user


@pytest.fixture
def staff_client(client, workspace):
    staff = make_user("staff@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    make_person(workspace, first_name="<b>Ana</b>")
    make_event(workspace)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "workspaces/workspace",
        "workspaces/membership",
        "people/person",
        "people/organization",
        "people/tag",
        "events/event",
        "events/focuspick",
        "relationships/relationship",
        "relationships/interaction",
        "relationships/followup",
    ],
)
def test_staff_can_browse_every_model_in_the_admin(staff_client, model):
    app, name = model.split("/")
    response = staff_client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200
    assert "<b>Ana</b>" not in response.content.decode()


def test_members_who_are_not_staff_cannot_open_the_admin(owner_client):
    response = owner_client.get(reverse("admin:index"))
    assert response.status_code == 302
