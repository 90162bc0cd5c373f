"""`connection_for`: the one place a workspace's SMTP connection is made."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from followthrough.mail.models import MailSettings, Security
from followthrough.mail.transport import MailNotConfigured, connection_for
from tests.mail.conftest import point_at


def test_without_settings_there_is_no_connection(workspace):
    with pytest.raises(MailNotConfigured):
        connection_for(workspace)
    MailSettings.objects.create(workspace=workspace, host="smtp.example.org")  # no From
    with pytest.raises(MailNotConfigured):
        connection_for(workspace)


@pytest.mark.parametrize(
    ("security", "tls", "ssl"),
    [(Security.STARTTLS, True, False), (Security.SSL, False, True), (Security.NONE, False, False)],
)
def test_the_connection_carries_the_settings(workspace, security, tls, ssl):
    MailSettings.objects.create(
        workspace=workspace, host="smtp.example.org", port=2525, security=security,
        username="team", password="pw", from_address="team@riverside.example", timeout=7,
    )  # fmt: skip
    connection = connection_for(workspace)
    assert isinstance(connection, EmailBackend)
    assert (connection.host, connection.port, connection.timeout) == ("smtp.example.org", 2525, 7)
    assert (connection.use_tls, connection.use_ssl) == (tls, ssl)
    assert (connection.username, connection.password) == ("team", "pw")
    assert connection.fail_silently is False


def test_another_room_can_send_through_it(workspace, smtp_server):
    point_at(workspace, smtp_server.host, smtp_server.port)
    with connection_for(workspace) as connection:
        sent = connection.send_messages(
            [EmailMessage("Digest", "Body", "team@riverside.example", ["alice@example.org"])]
        )
    assert sent == 1 and smtp_server.messages[0]["Subject"] == "Digest"
