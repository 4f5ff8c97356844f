"""A scripted HTTP server on 127.0.0.1 for the fetch tests (no network needed).

Each path answers from its list of responses in turn (the last one repeats).
A response is a dict with ``status``, ``body`` (bytes, a dict/list sent as
JSON, or a callable of the parsed query returning either), optional
``headers``, ``delay`` (seconds before answering), ``length`` (a
Content-Length to declare instead of the true one), ``drip`` (seconds between
single bytes of the body) and ``redirect`` (a path to send a 302 to).

Bounded: every sleep is short and capped, and the server shuts itself down
after ``lifetime`` seconds even if a test forgets to.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_MAX_SLEEP = 5.0


class ScriptedServer:
    """Serve scripted answers on 127.0.0.1 (a free port) from a daemon thread."""

    def __init__(self, lifetime: float = 60.0) -> None:
        self.routes: dict[str, list[dict]] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                body_in = b""
                if method == "POST":
                    body_in = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests.append({"method": method, "path": parts.path, "query": query,
                                        "headers": dict(self.headers), "body": body_in})
                script = server.routes.get(parts.path)
                if not script:
                    script = [{"status": 404, "body": b"not found"}]
                response = script.pop(0) if len(script) > 1 else script[0]
                if response.get("delay"):
                    time.sleep(min(response["delay"], _MAX_SLEEP))
                body = response.get("body", b"")
                if callable(body):
                    body = body(query)
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                status = response.get("status", 200)
                if response.get("redirect"):
                    status = 302
                self.send_response(status)
                if response.get("redirect"):
                    self.send_header("Location", response["redirect"])
                for key, value in response.get("headers", {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(response.get("length", len(body))))
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    if response.get("drip"):
                        started = time.monotonic()
                        for byte in body:
                            if time.monotonic() - started > _MAX_SLEEP:
                                break
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(response["drip"])
                    else:
                        self.wfile.write(body)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._timer = threading.Timer(lifetime, self.httpd.shutdown)
        self._timer.daemon = True

    def start(self) -> ScriptedServer:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()

    def hits(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]
