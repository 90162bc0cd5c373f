"""Mail tests: a workspace whose SMTP settings point at a real server on 127.0.0.1."""

from __future__ import annotations

import pytest

from followthrough.mail.models import MailSettings, Security
from tests.factories import make_org, make_person
from tests.smtp import smtp_down, smtp_mute, smtp_server  # noqa: F401  (fixtures)

SECRET = "s3cret-Password-never-shown"


def point_at(workspace, host: str, port: int, timeout: int = 5) -> MailSettings:
    settings, _ = MailSettings.objects.update_or_create(
        workspace=workspace,
        defaults={
            "host": host,
            "port": port,
            "security": Security.NONE,
            "username": "",
            "password": "",
            "from_address": "team@riverside.example",
            "from_name": "Riverside Literacy",
            "timeout": timeout,
        },
    )
    return settings


@pytest.fixture
def smtp_settings(workspace, smtp_server):  # noqa: F811
    return point_at(workspace, smtp_server.host, smtp_server.port)


@pytest.fixture
def ada(workspace):
    org = make_org(workspace, name="Northside Readers")
    return make_person(
        workspace, first_name="Ada", last_name="Lovelace", emails=["ada@northside.example"],
        organization=org,
    )  # fmt: skip
