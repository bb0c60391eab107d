"""A real SMTP server in-process (aiosmtpd) whose behaviour a test can steer."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Stores accepted messages; `decide(n)` may answer an SMTP error for the n-th DATA."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.data_calls = 0
        self.decide: Callable[[int, bytes], str | None] = lambda n, data: None
        self.ehlo_delay = 0.0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.ehlo_delay:
            import asyncio

            await asyncio.sleep(self.ehlo_delay)
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_calls += 1
            answer = self.decide(self.data_calls, envelope.content)
            if answer:
                return answer
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 Message accepted for delivery"


class SMTPServer:
    """An aiosmtpd server on 127.0.0.1 that can be stopped and started on the same port."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.handler.messages

    def wait_for(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server(app):
    server = SMTPServer()
    server.start()
    previous = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.stop()
    app.config.update(previous)
