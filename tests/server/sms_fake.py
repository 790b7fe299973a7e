"""A local fake of a Twilio-compatible SMS API, served on 127.0.0.1 by the tests that use it.

It checks the basic authentication, keeps every message it accepted, honours
``Idempotency-Key`` (a repeated key answers the message already taken, sending nothing), and
answers each request as scripted: ``ok`` (201), an HTTP status (``400`` with a provider error
whose message quotes the number, as real providers do; ``503``...), or ``late`` (takes the
message, then answers after ``late_seconds``, longer than the client waits).
"""

from __future__ import annotations

import json
import threading
import time
from base64 import b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT, TOKEN, SENDER = "AC0123456789", "secret-token-for-tests", "+447700900999"


@dataclass
class FakeProvider:
    url: str = ""
    script: list[str] = field(default_factory=list)  # answers in order; then "ok"
    late_seconds: float = 1.5
    accepted: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> message
    requests: list[dict[str, str]] = field(default_factory=list)  # path, key, auth per request
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(
        self, path: str, headers: dict[str, str], body: str
    ) -> tuple[int, dict[str, object]]:
        expected = "Basic " + b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        key = headers.get("idempotency-key", "")
        with self.lock:
            self.requests.append({"path": path, "key": key})
            if headers.get("authorization") != expected:
                return 401, {"code": 20003, "message": "Authenticate"}
            if path != f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json":
                return 404, {"code": 20404, "message": "not found"}
            form = {k: v[0] for k, v in parse_qs(body).items()}
            step = self.script.pop(0) if self.script else "ok"
            if step.isdigit():
                status = int(step)
                message = f"The 'To' number {form.get('To')} is not a valid phone number."
                return status, {"code": 21211 if status == 400 else 20500, "message": message}
            if key in self.accepted:
                return 201, self.accepted[key]
            sid = f"SM{len(self.accepted) + 1:032d}"
            self.accepted[key] = {"sid": sid, "to": form["To"], "from": form["From"],
                                  "body": form["Body"], "status": "queued"}  # fmt: skip
            late = step == "late"
        if late:
            time.sleep(self.late_seconds)
        return 201, self.accepted[key]


@contextmanager
def fake_provider(**kw: object) -> Iterator[FakeProvider]:
    provider = FakeProvider(**kw)  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload = provider.answer(self.path, headers, body)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a "late" answer)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
