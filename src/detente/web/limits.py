"""Request guards, applied before any endpoint runs: known host names, a body size limit and a
same-origin check. Each refuses with the API's one error body (:func:`error_body`).

:class:`KnownHosts`: a request whose ``Host`` is not one of the server's own names is refused with
400, so a DNS-rebinding page (an attacker's name resolving to 127.0.0.1) cannot reach a loopback
server.

:class:`BodyLimit`: a request whose ``Content-Length`` exceeds the limit is refused with 413 at once;
a body sent without a length is read up to the limit and refused with 413 if it goes beyond, else
replayed to the application unchanged.

:class:`SameOrigin`: a state-changing request (not GET, HEAD or OPTIONS) that a browser sends from
another site carries that site's ``Origin`` header; it is refused with 403, so a web page elsewhere
cannot make the local app save or run anything (cross-site request forgery).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1024 * 1024
"""Largest request body accepted: 1 MB (a scenario file is a few tens of kilobytes)."""


def error_body(detail: str, kind: str, problems: list[dict[str, Any]]) -> dict[str, Any]:
    """The body of every error response: a one-line ``detail``, the error's kind and its problems
    (each with file, line, field and message)."""
    return {"detail": detail, "error": kind, "problems": problems}


def too_large_message(size: int | None, limit: int) -> str:
    """``upload too large: 2,000,000 bytes; the limit is 1,048,576 bytes (1 MB)``."""
    got = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return f"upload too large: {got}; the limit is {limit:,} bytes ({limit // (1024 * 1024)} MB)"


class BodyLimit:
    """Refuse request bodies larger than ``limit`` bytes with status 413 and a JSON ``detail``."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        length = headers.get("content-length")
        if length is not None and length.strip().isdigit():
            if int(length) > self.limit:
                await _respond(send, 413, too_large_message(int(length), self.limit), "too_large")
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await _respond(send, 413, too_large_message(None, self.limit), "too_large")
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replay = _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive)
        await self.app(scope, replay, send)


class SameOrigin:
    """Refuse state-changing requests whose ``Origin`` is not this server's own (403)."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in self.SAFE:
            headers = _headers(scope)
            origin = headers.get("origin")
            if origin is not None and urlsplit(origin).netloc != headers.get("host", ""):
                await _respond(send, 403, f"cross-site request refused (origin {origin})", "cross_site")
                return
        await self.app(scope, receive, send)


class KnownHosts:
    """Refuse requests whose ``Host`` (without its port) is not one of ``names`` (400)."""

    def __init__(self, app: ASGIApp, names: tuple[str, ...]) -> None:
        self.app = app
        self.names = frozenset(n.lower() for n in names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = _headers(scope)
            host = headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.lower() not in self.names:
                detail = f"unknown host {host!r}: this server answers to its own names only"
                await _respond(send, 400, detail, "bad_host")
                return
        await self.app(scope, receive, send)


def _headers(scope: Scope) -> dict[str, str]:
    """A request's headers by lower-case name (ASGI gives them as latin-1 bytes)."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _respond(send: Send, status: int, detail: str, kind: str) -> None:
    body = json.dumps(error_body(detail, kind, [])).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
