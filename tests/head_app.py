"""An ASGI app that reads the whole body and answers how many bytes it got and how many requests
its process has served (tests/test_http_head.py)."""

from typing import Any

served = 0


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global served
    if scope["type"] != "http":
        return
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    served += 1
    body = f"{size} {served}".encode()
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
