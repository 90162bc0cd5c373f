"""Real SMTP endpoints on 127.0.0.1 for tests about SMTP (import the fixtures into a
room's conftest: `from tests.smtp import smtp_server, smtp_down, smtp_mute  # noqa`).

- `smtp_server`: an aiosmtpd server on a free port that keeps every message it accepts
  (`server.messages`: parsed `email.message.EmailMessage`s, `server.envelopes`).
- `smtp_down`: a port nobody listens on (connecting is refused at once).
- `smtp_mute`: a socket that accepts connections and never says a word (the client
  waits for the greeting until its timeout).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Collector:
    """The aiosmtpd handler: keeps what it accepted."""

    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.original_content, policy=policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]


@dataclass
class SmtpServer:
    host: str
    port: int
    collector: Collector

    @property
    def messages(self) -> list[EmailMessage]:
        return self.collector.messages

    @property
    def envelopes(self) -> list[Any]:
        return self.collector.envelopes

    @property
    def received(self) -> list[tuple[list[str], EmailMessage]]:
        """(recipients, parsed message) per message accepted."""
        return [
            (list(envelope.rcpt_tos), message)
            for envelope, message in zip(self.envelopes, self.messages, strict=True)
        ]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose envelope named `address` as a recipient."""
        return [message for recipients, message in self.received if address in recipients]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    collector = Collector()
    controller = Controller(collector, hostname=HOST, port=free_port())
    controller.start()
    try:
        yield SmtpServer(HOST, controller.port, collector)
    finally:
        controller.stop()


@pytest.fixture
def smtp_down() -> tuple[str, int]:
    """Host and port with nothing listening."""
    return HOST, free_port()


@pytest.fixture
def smtp_mute() -> Iterator[tuple[str, int]]:
    """Host and port of a listening socket that never accepts a word nor says one: the
    kernel completes the TCP handshake, and the SMTP greeting never comes."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(8)
    try:
        yield HOST, listener.getsockname()[1]
    finally:
        listener.close()
