"""The digest's tests send to a real SMTP server on 127.0.0.1 (`tests.smtp`), as the
installation's e-mail settings (a workspace without its own mail server)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from tests.smtp import SmtpServer, smtp_down, smtp_server  # noqa: F401 -- fixtures


@pytest.fixture
def smtp(settings, smtp_server: SmtpServer) -> SmtpServer:  # noqa: F811
    """An SMTP server the app sends to (Django's SMTP backend, this host and port)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.BASE_URL = "https://crm.example.org"
    return smtp_server


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")
