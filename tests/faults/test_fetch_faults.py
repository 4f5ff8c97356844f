"""Fault injection for ``refugeestudy fetch``: every case goes through the command line.

Each case builds a small temporary project (registry, lock, cache) whose
registry bases point at a scripted HTTP server on 127.0.0.1 (bounded: short
sleeps, stops by itself), and a synthetic mirror folder (generated here,
labelled synthetic). A refused case asserts the one ``error:`` line (and that
a ``hint:`` line follows), the exit code (1; usage errors 2), that no
traceback escaped, and that the whole temporary folder (project, cache,
mirror) is byte-identical afterwards. A rightly accepted case asserts what
changed and what did not.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from refugeestudy import fetch as fx
from refugeestudy.cli import app

from fetch import synthetic
from fetch.server import ScriptedServer

PROJECT = Path(__file__).resolve().parents[2]
REGISTRY = PROJECT / "data" / "raw" / fx.REGISTRY_NAME
SHARED = PROJECT.parent / "shared" / "data"
SECRETS = {"ACLED_EMAIL": "researcher@example.org", "ACLED_PASSWORD": "pa55-w0rd-XYZ",
           "ACLED_KEY": "KEY-123-abc", "UCDP_API_TOKEN": "ucdp-tok-456"}

# Synthetic mirror files (made up for these tests, not real data).
SYNTHETIC = {  # files each source's reader accepts (a pin holds only content that reads)
    "ucdp/ged191_syria_2016_2019.csv": synthetic.ged_csv(),
    "unhcr/population.csv": synthetic.population_csv(rows=3),
    "unhcr/solutions.csv": synthetic.solutions_csv(),
}
CSV_BODY = b"year,value\n2024,1\n2025,2\n"  # synthetic body of the test_csv download
HTML = b"<!DOCTYPE html><html><body><h1>Please sign in</h1></body></html>"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Project:
    """A temporary project: root (data/raw, data/external), a mirror, a server, the env."""

    tmp: Path
    root: Path
    mirror: Path
    server: ScriptedServer
    env: dict = field(default_factory=dict)
    args: list = field(default_factory=list)

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def lock(self) -> Path:
        return self.raw / fx.LOCK_NAME

    @property
    def registry(self) -> Path:
        return self.raw / fx.REGISTRY_NAME

    @property
    def cache(self) -> Path:
        return self.root / "data" / "external"

    def lock_data(self) -> dict:
        return json.loads(self.lock.read_text())

    def write_lock(self, data) -> None:
        self.lock.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))

    def pin(self, name: str, data: bytes, file: str) -> None:
        """Record a committed pin for ``name`` as if fetched earlier."""
        lock = self.lock_data()
        lock["sources"][name] = {"file": file, "sha256": sha(data), "size": len(data),
                                 "method": "download", "url": f"{self.server.url}{name}",
                                 "retrieved": "2026-01-02", "licence": "x", "citation": "x"}
        self.write_lock(lock)

    def edit_registry(self, edit) -> None:
        data = yaml.safe_load(self.registry.read_text())
        edit(data)
        self.registry.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture()
def project(tmp_path, monkeypatch):
    server = ScriptedServer(lifetime=30).start()
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    mirror = tmp_path / "mirror"
    for rel, data in SYNTHETIC.items():
        (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
        (mirror / rel).write_bytes(data)
    registry = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    registry["bases"] = {name: server.url for name in registry["bases"]}
    registry["sources"]["test_csv"] = {
        "title": "Synthetic CSV download (tests only)", "kind": "file",
        "url": "{base:ucdp_downloads}test.csv", "filename": "test.csv",
        "licence": "synthetic test data", "citation": "none (synthetic)"}
    registry["sources"] = {k: v for k, v in registry["sources"].items()
                           if k in ("ucdp_ged", "ucdp_ged_syria", "unhcr_population",
                                    "unhcr_solutions", "acled", "test_csv")}
    (root / "data" / "raw" / fx.REGISTRY_NAME).write_text(yaml.safe_dump(registry, sort_keys=False))
    for name in list(os.environ):
        if name.startswith(("ACLED_", "UCDP_", "REFUGEESTUDY_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(root))
    p = Project(tmp_path, root, mirror, server)
    # Pin the mirror files as a committed lock would, then start from an empty cache.
    result = CliRunner().invoke(app, ["fetch", "--mirror", str(mirror), "all"])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[1].split()[0] for line in result.stdout.splitlines()] == [
        "pinned"] * 3
    for path in sorted(p.cache.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    p.cache.rmdir()
    try:
        yield p
    finally:
        server.stop()


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["fetch", *args], env=env)


FAST = ["--timeout", "0.5", "--retries", "0"]


def assert_refused(result, pattern: str, code: int = 1) -> str:
    """One ``error:`` line matching ``pattern``, one ``hint:`` line, exit ``code``, no traceback."""
    assert isinstance(result.exception, SystemExit), f"traceback: {result.exception!r}"
    assert result.exit_code == code, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    hints = [line for line in result.stderr.splitlines() if line.startswith("hint: ")]
    assert len(errors) == 1 and len(hints) == 1, result.stderr
    assert re.search(pattern, errors[0]), errors[0]
    assert "Traceback" not in result.output
    return errors[0]


# --------------------------------------------------------------------------- the cases
# Each: (id, setup(project) -> list of CLI arguments, expected error pattern, exit code)


def _route(path, *responses):
    def setup(p):
        p.server.routes[path] = list(responses)
        return ["test_csv" if path == "/test.csv" else "ucdp_ged", *FAST]
    return setup


def _api(*responses, name="unhcr_population"):
    def setup(p):
        p.server.routes["/population/"] = list(responses)
        return [name, *FAST]
    return setup


def _unpinned(name, setup):
    """``setup`` for a source whose lock entry is removed first (its first fetch)."""
    def unpin(p):
        lock = p.lock_data()
        del lock["sources"][name]
        p.write_lock(lock)
        return setup(p)
    return unpin


def _pinned_csv(body: bytes, length: int | None = None):
    def setup(p):
        p.pin("test_csv", CSV_BODY, "test_csv/test.csv")
        response = {"body": body}
        if length is not None:
            response["length"] = length
        p.server.routes["/test.csv"] = [response]
        return ["test_csv", *FAST]
    return setup


def _slow_body(p):
    p.server.routes["/test.csv"] = [{"body": CSV_BODY * 20, "drip": 0.05}]
    return ["test_csv", "--timeout", "2", "--retries", "0", "--deadline", "0.6"]


def _redirect_loop(p):
    p.server.routes["/test.csv"] = [{"redirect": "/test.csv"}]
    return ["test_csv", *FAST]


def _connection_refused(p):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    p.edit_registry(lambda d: d["bases"].update(ucdp_downloads=f"http://127.0.0.1:{port}/"))
    return ["test_csv", *FAST]


def _mirror_change(rel: str, data: bytes | None = None, *extra: str):
    name = {"ucdp": "ucdp_ged", "unhcr/population.csv": "unhcr_population",
            "unhcr/solutions.csv": "unhcr_solutions"}
    source = name.get(rel.split("/")[0]) or name[rel]

    def setup(p):
        path = p.mirror / rel
        if data is None:  # change one byte
            raw = bytearray(path.read_bytes())
            raw[-2] = ord("9") if raw[-2] != ord("9") else ord("8")
            path.write_bytes(bytes(raw))
        else:
            path.write_bytes(data)
        return ["--mirror", str(p.mirror), source, *extra]
    return setup


def _mirror_folder(p):
    path = p.mirror / "unhcr" / "solutions.csv"
    path.unlink()
    path.mkdir()
    return ["--mirror", str(p.mirror), "unhcr_solutions"]


def _mirror_missing(p):
    (p.mirror / "unhcr" / "population.csv").unlink()
    return ["--mirror", str(p.mirror), "unhcr_population"]


def _mirror_fifo(p):
    path = p.mirror / "unhcr" / "population.csv"
    path.unlink()
    os.mkfifo(path)
    return ["--mirror", str(p.mirror), "unhcr_population"]


def _mirror_unreadable(p, monkeypatch):
    path = p.mirror / "unhcr" / "population.csv"
    path.chmod(0)
    if os.geteuid() == 0:  # root reads any file: make open() fail as it would for a user
        import builtins

        from refugeestudy.fetch import mirror as mirror_module

        def refuse(file, *args, **kwargs):
            if Path(file) == path:
                raise PermissionError(13, "Permission denied", str(file))
            return builtins.open(file, *args, **kwargs)

        monkeypatch.setattr(mirror_module, "open", refuse, raising=False)
    return ["--mirror", str(p.mirror), "unhcr_population"]


def _cached_then(change):
    def setup(p):
        result = run("--mirror", str(p.mirror), "unhcr_population")
        assert result.exit_code == 0, result.output
        change(p.cache / "unhcr_population" / "population.csv")
        return ["--mirror", str(p.mirror), "unhcr_population"]
    return setup


def _flip_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[0] ^= 0x01
    path.write_bytes(bytes(raw))


def _to_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _verify_after(change):
    def setup(p):
        _cached_then(change)(p)
        return ["--verify", "unhcr_population"]
    return setup


def _lock_text(text: str):
    def setup(p):
        p.write_lock(text)
        return ["--mirror", str(p.mirror), "all"]
    return setup


def _lock_edit(edit):
    def setup(p):
        lock = p.lock_data()
        edit(lock["sources"])
        p.write_lock(lock)
        return ["--mirror", str(p.mirror), "all"]
    return setup


def _lock_duplicate(p):
    text = p.lock.read_text()
    entry = json.dumps(p.lock_data()["sources"]["unhcr_solutions"])
    p.write_lock(text.replace('"sources": {', '"sources": {"unhcr_solutions": ' + entry + ",", 1))
    return ["--mirror", str(p.mirror), "all"]


def _registry_text(text: str):
    def setup(p):
        p.registry.write_text(text)
        return ["--mirror", str(p.mirror), "all"]
    return setup


def _registry_edit(edit):
    def setup(p):
        p.edit_registry(edit)
        return ["--mirror", str(p.mirror), "all"]
    return setup


def _env(args, **env):
    def setup(p):
        p.env.update(env)
        return list(args)
    return setup


def _acled_echo(p):
    p.env.update(ACLED_EMAIL=SECRETS["ACLED_EMAIL"], ACLED_KEY=SECRETS["ACLED_KEY"])
    # The legacy endpoint echoes the query (with key and e-mail) in its error page.
    p.server.routes["/acled/read"] = [{"status": 403,
                                       "body": lambda q: json.dumps(q).encode()}]
    return ["acled", *FAST]


def _ucdp_unauthorised(p):
    p.env.update(UCDP_API_TOKEN=SECRETS["UCDP_API_TOKEN"])
    p.server.routes["/gedevents/26.1"] = [{"status": 401, "body": b"API token invalid"}]
    return ["ucdp_ged_syria", *FAST]


def _unhcr_page(items):
    return {"page": 1, "maxPages": 1, "items": items}


_ROW = {"year": 2024, "coo_name": "Synthetic", "coo": "SYR", "coo_iso": "SYR", "coa_name": "X",
        "coa": "LEB", "coa_iso": "LBN", "refugees": 1, "asylum_seekers": 0,
        "returned_refugees": 0, "idps": 0, "returned_idps": 0, "stateless": 0, "ooc": 0,
        "oip": 0, "hst": 0}


def _api_pinned_changed(p):
    p.pin("unhcr_population", synthetic.population_csv(rows=3, refugees=7),
          "unhcr_population/population.csv")
    p.server.routes["/population/"] = [{"body": _unhcr_page([_ROW])}]
    return ["unhcr_population", *FAST]


def _update_ged_zip(data: bytes):
    """``--update ucdp_ged`` from the network, the release zip holding ``data``."""
    def setup(p):
        p.server.routes["/ged/ged261-csv.zip"] = [{"body": synthetic.zipped("GEDEvent_v26_1.csv",
                                                                            data)}]
        return ["--update", "ucdp_ged", *FAST]
    return setup


_HEADER_ONLY = synthetic.population_csv().split(b"\n", 1)[0] + b"\n"
_UPDATE_POPULATION = ("--update", "unhcr_population")

REFUSED = [
    # Pins that do not read (--update through the source's reader), size caps
    ("update-mirror-header-only", _mirror_change("unhcr/population.csv", _HEADER_ONLY, *_UPDATE_POPULATION), r"unhcr_population: (the file holds no data row|the bytes do not read as unhcr_population).*; not pinned", 1),
    ("update-mirror-negative-count", _mirror_change("unhcr/population.csv", synthetic.population_csv(refugees=-5), *_UPDATE_POPULATION), r"unhcr_population: the bytes do not read as unhcr_population: .*column 'refugees': must not be negative, found '-5'; not pinned", 1),
    ("update-mirror-shrunk", _mirror_change("unhcr/population.csv", synthetic.population_csv(rows=1), *_UPDATE_POPULATION), r"unhcr_population: the new file has 9 rows, fewer than half the 27 of the current pin; not pinned", 1),
    ("update-mirror-ged-cut-mid-row", _mirror_change("ucdp/ged191_syria_2016_2019.csv", synthetic.ged_csv(3)[:-25], "--update", "ucdp_ged"), r"ucdp_ged: the bytes do not read as ucdp_ged: ged191_syria_2016_2019\.csv", 1),
    ("update-http-zip-ged-cut-mid-row", _update_ged_zip(synthetic.ged_csv(3)[:-25]), r"ucdp_ged: the bytes do not read as ucdp_ged: ged261-csv\.zip", 1),
    ("update-http-zip-ged-header-only", _update_ged_zip(synthetic.ged_csv(0)), r"ucdp_ged: (the file holds no data row|the bytes do not read as ucdp_ged)", 1),
    ("update-api-negative-count", lambda p: (_api({"body": _unhcr_page([{**_ROW, "refugees": -5}])})(p), [*_UPDATE_POPULATION, *FAST])[-1], r"unhcr_population: the bytes do not read as unhcr_population: .*must not be negative", 1),
    ("update-over-max-bytes", _mirror_change("unhcr/population.csv", synthetic.population_csv(), *_UPDATE_POPULATION, "--max-bytes", "100"), r"population\.csv: more than 100 bytes arrived, the size cap; stopped, nothing saved", 1),
    ("update-over-4x-pinned-size", _mirror_change("unhcr/solutions.csv", synthetic.solutions_csv() * 5, "--update", "unhcr_solutions"), r"solutions\.csv: more than [\d,]+ bytes arrived, the size cap", 1),
    # HTTP: errors, stalls, loops, wrong bodies
    ("http-404", _route("/test.csv", {"status": 404, "body": b"gone"}), r"GET http://127\.0\.0\.1:\d+/test\.csv: HTTP 404 Not Found: 'gone'", 1),
    ("http-403", _route("/test.csv", {"status": 403, "body": b"forbidden"}), r"HTTP 403 Forbidden", 1),
    ("http-410", _route("/test.csv", {"status": 410, "body": b""}), r"HTTP 410 Gone", 1),
    ("http-500", _route("/test.csv", {"status": 500, "body": b"oops"}), r"test\.csv: failed after 1 attempts \(timeout 0\.5s\); last error: HTTP 500", 1),
    ("http-503", _route("/test.csv", {"status": 503}), r"failed after 1 attempts .*HTTP 503", 1),
    ("http-429", _route("/test.csv", {"status": 429}), r"failed after 1 attempts .*HTTP 429", 1),
    ("http-stall", _route("/test.csv", {"body": CSV_BODY, "delay": 1.5}), r"failed after 1 attempts \(timeout 0\.5s\); last error: (ReadTimeout|ConnectionError).*timed out", 1),
    ("http-slow-body-deadline", _slow_body, r"GET http://127\.0\.0\.1:\d+/test\.csv: stopped at the 0\.6 s deadline of this download", 1),
    ("http-redirect-loop", _redirect_loop, r"redirected too many times \(a redirect loop\)", 1),
    ("http-html-for-csv", _route("/test.csv", {"body": HTML}), r"test\.csv: sent an HTML page instead of data: '<!DOCTYPE html>", 1),
    ("http-html-for-zip", _route("/ged/ged261-csv.zip", {"body": HTML, "headers": {"Content-Type": "text/html"}}), r"ged261-csv\.zip: sent an HTML page instead of data", 1),
    ("http-html-for-json", _api({"body": HTML, "headers": {"Content-Type": "text/html"}}), r"GET http://127\.0\.0\.1:\d+/population/\?.*answered with an HTML page, not JSON", 1),
    ("http-html-content-type-json", _api({"body": b"Service temporarily unavailable", "headers": {"Content-Type": "text/html; charset=utf-8"}}), r"answered with an HTML page, not JSON: 'Service temporarily unavailable'", 1),
    ("http-not-json", _api({"body": b"{\"items\": [", "headers": {"Content-Type": "application/json"}}), r"failed after 1 attempts .*the answer is not JSON \(11 bytes\)", 1),
    ("http-json-without-items", _api({"body": {"page": 1, "data": []}}), r"unhcr_population: unexpected answer from .*/population/ page 1: no 'items' list", 1),
    ("http-json-columns-gone", _api({"body": _unhcr_page([{"year": 2024}])}), r"unhcr_population: the API no longer returns coo_name, coo, coo_iso", 1),
    ("http-truncated-body", _route("/test.csv", {"body": CSV_BODY[:10], "length": 500}), r"failed after 1 attempts .*last error: ChunkedEncodingError", 1),
    ("http-content-length-short-zip", _unpinned("ucdp_ged", _route("/ged/ged261-csv.zip", {"body": b"PK\x03\x04" + b"x" * 200, "length": 50})), r"ged261-csv\.zip: not a valid zip archive", 1),
    ("http-content-length-short-pinned", _pinned_csv(CSV_BODY, length=8), r"test_csv: test\.csv from the network \(http://127\.0\.0\.1:\d+/test\.csv\) differs from the lock: expected SHA-256 [0-9a-f]{64}, actual [0-9a-f]{64}", 1),
    ("http-wrong-bytes-pinned", _pinned_csv(CSV_BODY.replace(b"2025,2", b"2025,3")), rf"test_csv: test\.csv from the network \(.*\) differs from the lock: expected SHA-256 {sha(CSV_BODY)}, actual {sha(CSV_BODY.replace(b'2025,2', b'2025,3'))}; not saved, fetch\.lock\.json unchanged", 1),
    ("http-api-pinned-changed", _api_pinned_changed, r"unhcr_population: population\.csv from the network \(http://127\.0\.0\.1:\d+/population/\) differs from the lock", 1),
    ("http-connection-refused", _connection_refused, r"failed after 1 attempts .*last error: ConnectionError", 1),
    ("http-ucdp-401", _ucdp_unauthorised, r"gedevents/26\.1\?.*HTTP 401 Unauthorized: 'API token invalid'", 1),
    # Mirror faults
    ("mirror-missing-file", _mirror_missing, r"unhcr_population: mirror file .*/mirror/unhcr/population\.csv not found", 1),
    ("mirror-changed-byte", _mirror_change("unhcr/solutions.csv"), rf"unhcr_solutions: solutions\.csv from the mirror \(.*/mirror/unhcr/solutions\.csv\) differs from the lock: expected SHA-256 {sha(SYNTHETIC['unhcr/solutions.csv'])}, actual [0-9a-f]{{64}}", 1),
    ("mirror-changed-byte-force", _mirror_change("ucdp/ged191_syria_2016_2019.csv", None, "--force"), r"ucdp_ged: ged191_syria_2016_2019\.csv from the mirror .* differs from the lock", 1),
    ("mirror-empty-file", _mirror_change("unhcr/population.csv", b""), rf"from the mirror .* differs from the lock: expected SHA-256 {sha(SYNTHETIC['unhcr/population.csv'])}, actual {sha(b'')}", 1),
    ("mirror-html-file", _mirror_change("unhcr/population.csv", HTML), r"mirror/unhcr/population\.csv: sent an HTML page instead of data", 1),
    ("mirror-folder-not-file", _mirror_folder, r"unhcr_solutions: mirror file .*/unhcr/solutions\.csv is a folder, not a file", 1),
    ("mirror-fifo", _mirror_fifo, r"mirror file .*/unhcr/population\.csv is not a regular file", 1),
    ("mirror-unreadable", _mirror_unreadable, r"unhcr_population: mirror file .*/unhcr/population\.csv cannot be read \(Permission denied\)", 1),
    ("mirror-folder-missing", lambda p: ["--mirror", str(p.tmp / "nowhere"), "all"], r"mirror folder .*/nowhere not found", 1),
    ("mirror-folder-is-file", lambda p: ["--mirror", str(p.mirror / "unhcr" / "solutions.csv"), "all"], r"mirror folder .*solutions\.csv is a file, not a folder", 1),
    ("mirror-no-mirror-registered", lambda p: ["--mirror", str(p.mirror), "test_csv"], r"nothing to fetch for test_csv|test_csv: no mirror file is registered", 1),
    # Cache faults
    ("cache-corrupted", _cached_then(_flip_byte), rf"unhcr_population: .*/data/external/unhcr_population/population\.csv from the cache differs from the lock: expected SHA-256 {sha(SYNTHETIC['unhcr/population.csv'])}, actual [0-9a-f]{{64}}", 1),
    ("cache-truncated", _cached_then(lambda path: path.write_bytes(b"")), rf"from the cache differs from the lock: expected SHA-256 [0-9a-f]{{64}}, actual {sha(b'')}", 1),
    ("cache-folder", _cached_then(_to_folder), r"unhcr_population: the cached .*population\.csv is not a file", 1),
    ("verify-corrupted", _verify_after(_flip_byte), r"population\.csv: SHA-256 mismatch: expected [0-9a-f]{64} \(pinned in fetch\.lock\.json, fetched \d{4}-\d\d-\d\d from mirror:unhcr/population\.csv\), found [0-9a-f]{64} in the cache", 1),
    ("verify-missing", lambda p: ["--verify", "unhcr_solutions"], r"unhcr_solutions/solutions\.csv: missing from the cache although fetch\.lock\.json records it", 1),
    ("verify-unknown", lambda p: ["--verify", "acled"], r"acled: not fetched yet \(no entry in .*fetch\.lock\.json\)", 1),
    # Lock faults
    ("lock-invalid-json", _lock_text('{"lock_version": 1, "sources": {,}}'), r"fetch\.lock\.json: not valid JSON at line 1, column 33: Expecting property name", 1),
    ("lock-not-object", _lock_text("[]"), r"fetch\.lock\.json: not a lock file \(expected an object with 'sources'\)", 1),
    ("lock-entry-without-file", _lock_edit(lambda s: s["unhcr_solutions"].pop("file")), r"fetch\.lock\.json: entry 'unhcr_solutions' has no 'file'", 1),
    ("lock-entry-not-object", _lock_edit(lambda s: s.update(unhcr_solutions="abc")), r"entry 'unhcr_solutions' is str, not an object", 1),
    ("lock-bad-sha256", _lock_edit(lambda s: s["unhcr_solutions"].update(sha256="XYZ")), r"entry 'unhcr_solutions': 'sha256' 'XYZ' is not 64 lower-case hex digits", 1),
    ("lock-file-escapes-cache", _lock_edit(lambda s: s["unhcr_solutions"].update(file="../../raw/fetch_registry.yml")), r"entry 'unhcr_solutions': 'file' '\.\./\.\./raw/fetch_registry\.yml' is not a path inside the cache folder", 1),
    ("lock-unknown-name", _lock_edit(lambda s: s.update(unhcr_refugees=dict(s["unhcr_solutions"]))), r"fetch\.lock\.json: entry 'unhcr_refugees' names no source of the registry", 1),
    ("lock-duplicate-names", _lock_duplicate, r"fetch\.lock\.json: source 'unhcr_solutions' appears more than once", 1),
    ("lock-is-folder", lambda p: (p.lock.unlink(), p.lock.mkdir(), ["--mirror", str(p.mirror), "all"])[-1], r"fetch\.lock\.json: is a folder, not a lock file", 1),
    # Registry faults
    ("registry-invalid-yaml", _registry_text("sources:\n  a: [1, 2\n  b: 3\n"), r"fetch_registry\.yml is not valid YAML at line 3, column \d+:", 1),
    ("registry-missing-url", _registry_edit(lambda d: d["sources"]["unhcr_solutions"].pop("url")), r"source 'unhcr_solutions': missing url", 1),
    ("registry-unknown-kind", _registry_edit(lambda d: d["sources"]["unhcr_solutions"].update(kind="ftp")), r"source 'unhcr_solutions': unknown kind 'ftp'", 1),
    ("registry-mirror-escapes", _registry_edit(lambda d: d["sources"]["unhcr_solutions"]["mirror"].update(path="../project/data/raw/fetch.lock.json")), r"source 'unhcr_solutions': mirror path '\.\./project/data/raw/fetch\.lock\.json' must stay inside its folder", 1),
    ("registry-entry-not-mapping", _registry_edit(lambda d: d["sources"].update(unhcr_solutions="x")), r"source 'unhcr_solutions': is str, not a mapping of fields", 1),
    ("registry-not-mapping", _registry_text("- just\n- a list\n"), r"fetch_registry\.yml: expected a mapping with 'sources'", 1),
    ("registry-unknown-base", lambda p: (p.edit_registry(lambda d: d["sources"]["test_csv"].update(url="{base:nowhere}x.csv")), ["test_csv", *FAST])[-1], r"unknown base 'nowhere' in '\{base:nowhere\}x\.csv'", 1),
    # Credentials (never printed)
    ("acled-no-credentials", _env(["acled"], ACLED_EMAIL=SECRETS["ACLED_EMAIL"]), r"^error: acled: ACLED needs an account; ACLED_PASSWORD or ACLED_KEY not set$", 1),
    ("acled-nothing-set", _env(["acled"]), r"acled: ACLED needs an account; ACLED_EMAIL and ACLED_PASSWORD or ACLED_KEY not set", 1),
    ("acled-error-page-echoes-secrets", _acled_echo, r"acled/read\?.*HTTP 403 Forbidden: .*\*\*\*", 1),
    ("ucdp-no-token", _env(["ucdp_ged_syria"]), r"ucdp_ged_syria: the UCDP API needs an access token .*UCDP_API_TOKEN is not set", 1),
    # Usage errors (exit 2)
    ("usage-unknown-source", lambda p: ["nope"], r"unknown source 'nope'", 2),
    ("usage-unknown-update", lambda p: ["--update", "unhcr_refugees"], r"unknown source 'unhcr_refugees'", 2),
    ("usage-no-source", lambda p: [], r"name the sources to fetch \(or 'all'\), or --update NAME", 2),
    ("usage-verify-with-update", lambda p: ["--verify", "--update", "unhcr_solutions"], r"--verify checks the cache only", 2),
]


@pytest.mark.parametrize("setup, pattern, code", [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_fetch_fault_is_refused_with_one_line(project, unchanged, monkeypatch, setup, pattern,
                                              code):
    if setup is _mirror_unreadable:
        args = setup(project, monkeypatch)
    else:
        args = setup(project)
    env = {name: project.env.get(name) for name in SECRETS}
    with unchanged(project.tmp):
        result = run(*args, env=env)
    message = assert_refused(result, pattern, code)
    for secret in SECRETS.values():  # never printed, in any form
        for form in (secret, secret.replace("@", "%40")):
            assert form not in result.output, message


def test_cases_are_many_and_distinct():
    assert len(REFUSED) >= 40
    assert len({case[0] for case in REFUSED}) == len(REFUSED)


# --------------------------------------------------------------------------- rightly accepted


def test_routine_mirror_fetch_leaves_the_lock_byte_identical(project, unchanged):
    before = project.lock.read_bytes()
    first = run("--mirror", str(project.mirror), "all")
    assert first.exit_code == 0, first.output
    assert "match the lock" in first.stdout and "pinned" not in first.stdout
    with unchanged(project.tmp):  # second run: nothing at all changes
        second = run("--mirror", str(project.mirror), "all")
    assert second.exit_code == 0, second.output
    assert second.stdout.count(": unchanged in the cache, matches the lock") == 3
    assert project.lock.read_bytes() == before


def test_changed_mirror_byte_with_pinned_bytes_in_the_cache_is_not_read(project, unchanged):
    assert run("--mirror", str(project.mirror), "unhcr_solutions").exit_code == 0
    _mirror_change("unhcr/solutions.csv")(project)
    with unchanged(project.tmp):
        result = run("--mirror", str(project.mirror), "unhcr_solutions")
    assert result.exit_code == 0 and "unhcr_solutions: unchanged" in result.stdout


def test_update_accepts_new_bytes_and_changes_the_date(project):
    _mirror_change("unhcr/solutions.csv")(project)
    before = project.lock_data()["sources"]
    result = run("--update", "unhcr_solutions", "--mirror", str(project.mirror))
    assert result.exit_code == 0, result.output
    new = (project.mirror / "unhcr" / "solutions.csv").read_bytes()
    assert f"unhcr_solutions: updated (--update) SHA-256 {before['unhcr_solutions']['sha256']} " \
           f"-> {sha(new)}" in result.stdout
    after = project.lock_data()["sources"]
    assert after["unhcr_solutions"]["sha256"] == sha(new)
    assert after["unhcr_solutions"]["retrieved"] == fx.core._today()
    assert {k: v for k, v in after.items() if k != "unhcr_solutions"} == {
        k: v for k, v in before.items() if k != "unhcr_solutions"}


def test_update_with_identical_bytes_leaves_the_lock_byte_identical(project):
    lock = project.lock_data()
    lock["sources"]["unhcr_solutions"]["retrieved"] = "2026-01-02"
    project.write_lock(fx.lock.lock_text(lock))
    before = project.lock.read_bytes()
    result = run("--update", "unhcr_solutions", "--mirror", str(project.mirror))
    assert result.exit_code == 0, result.output
    assert "same bytes as the pin" in result.stdout
    assert project.lock.read_bytes() == before


def test_new_source_is_pinned_on_first_fetch_and_says_so(project):
    project.server.routes["/test.csv"] = [{"body": CSV_BODY}]
    before = project.lock_data()["sources"]
    result = run("test_csv", *FAST)
    assert result.exit_code == 0, result.output
    assert f"test_csv: pinned (first fetch) SHA-256 {sha(CSV_BODY)} recorded in fetch.lock.json " \
           f"({len(CSV_BODY)} bytes from {project.server.url}test.csv)" in result.stdout
    after = project.lock_data()["sources"]
    assert after.pop("test_csv")["sha256"] == sha(CSV_BODY)
    assert after == before


def test_transient_server_error_then_the_pinned_bytes_is_accepted(project):
    project.pin("test_csv", CSV_BODY, "test_csv/test.csv")
    before = project.lock.read_bytes()
    project.server.routes["/test.csv"] = [{"status": 503}, {"body": CSV_BODY[:5], "length": 99},
                                          {"body": CSV_BODY}]
    result = run("test_csv", "--timeout", "0.5", "--retries", "2")
    assert result.exit_code == 0, result.output
    assert "test_csv: fetched" in result.stdout
    assert len(project.server.hits("/test.csv")) == 3
    assert (project.cache / "test_csv" / "test.csv").read_bytes() == CSV_BODY
    assert project.lock.read_bytes() == before


# --------------------------------------------------------------------------- the real lock


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not available")
def test_real_mirror_file_with_one_byte_changed_is_refused_and_the_real_lock_kept(
        tmp_path, unchanged, monkeypatch):
    """The committed lock and a copy of the real UNHCR solutions extract, one byte changed."""
    mirror = tmp_path / "mirror" / "unhcr"
    mirror.mkdir(parents=True)
    data = bytearray((SHARED / "unhcr" / "solutions.csv").read_bytes())
    data[data.index(b"2")] = ord("3")
    (mirror / "solutions.csv").write_bytes(bytes(data))
    monkeypatch.delenv("REFUGEESTUDY_ROOT", raising=False)
    monkeypatch.setenv("REFUGEESTUDY_CACHE_DIR", str(tmp_path / "cache"))  # empty cache
    lock = PROJECT / "data" / "raw" / fx.LOCK_NAME
    pinned = json.loads(lock.read_text())["sources"]["unhcr_solutions"]["sha256"]
    with unchanged(PROJECT / "data" / "raw"):
        result = CliRunner().invoke(app, ["fetch", "--mirror", str(tmp_path / "mirror"),
                                          "unhcr_solutions"])
    assert_refused(result, rf"unhcr_solutions: solutions\.csv from the mirror .* differs from "
                           rf"the lock: expected SHA-256 {pinned}, actual {sha(bytes(data))}")
    assert not (tmp_path / "cache").exists()  # not even an empty folder is left
