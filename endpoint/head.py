"""HEAD wherever GET is (RFC 9110, 9.3.2): the status and headers a GET would get, and no body.

FastAPI's ``@router.get`` routes answer HEAD with 405. Routes that answer HEAD themselves (the dumps,
``/sparql``, ``/healthz``, …) keep doing so: a HEAD is passed on as it is, and only when the app
answers it 405 is it asked again as a GET, whose body is then dropped. The 405 answer is small and
held back until then; a GET of these pages changes nothing, so asking twice is safe.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: a HEAD the app refuses with 405 is answered as its GET, without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def first(message: Message) -> None:
            if held or (message["type"] == "http.response.start" and message["status"] == 405):
                held.append(message)  # not answered yet: maybe as a GET
                return
            await send(message)

        await self.app(scope, receive, first)
        if not held:
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        scope["method"] = "GET"  # the same scope, so that the middleware outside sees the route
        try:
            await self.app(scope, receive, without_body)
        finally:
            scope["method"] = "HEAD"
