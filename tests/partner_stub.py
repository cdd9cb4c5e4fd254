"""A stub partner service on 127.0.0.1 for tests: records requests, honours Idempotency-Key.

Tests drive it through its attributes:
- `mode`: "up" (2xx), "down" (503), "slow" (sleeps `delay` seconds before answering), "hold"
  (blocks each request until `release` is set; `holding` is set when one is waiting);
- `answers[path] = (status, body)` overrides the answer for a path;
- `received` is every request body in arrival order; `delivered` maps idempotency key → body and
  counts a key once (a receiver that honours the key); `duplicates` counts repeated keys.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PartnerStub:
    def __init__(self):
        self.mode = "up"
        self.delay = 0.0
        self.answers: dict[str, tuple[int, dict]] = {}
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.delivered: dict[str, dict] = {}
        self.duplicates = 0
        self.release = threading.Event()
        self.holding = threading.Event()
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                stub._answer(self, None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                stub._answer(self, json.loads(raw) if raw else {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler, body):
        path = handler.path.rstrip("/")
        if self.mode == "hold" and body is not None:
            self.holding.set()
            self.release.wait(30)
        if self.mode == "slow":
            self.release.wait(self.delay)
        if self.mode == "down":
            return self._reply(handler, 503, {"error": "down"})
        if body is not None:
            key = handler.headers.get("Idempotency-Key", "")
            with self.lock:
                self.received.append(body)
                self.headers.append(dict(handler.headers))
                if key in self.delivered:
                    self.duplicates += 1
                else:
                    self.delivered[key] = body
        status, answer = self.answers.get(path, (200, {"status": "ok"}))
        self._reply(handler, status, answer)

    @staticmethod
    def _reply(handler, status, body):
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)
