"""Tests for refugeestudy.fetch against a local HTTP server (no network needed).

Every server runs on 127.0.0.1 in a thread inside the test; every loop is
bounded (a few scripted answers per path, short timeouts, no backoff waits).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from refugeestudy import fetch as fx

from fetch import synthetic
from fetch.server import ScriptedServer

REGISTRY_FILE = Path(__file__).resolve().parents[2] / "data" / "raw" / "fetch_registry.yml"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture()
def server():
    srv = ScriptedServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture()
def registry():
    return fx.load_registry(REGISTRY_FILE)


@pytest.fixture()
def where(tmp_path):
    """Cache folder and lock file in a temporary folder, never in the project."""
    return {"cache_dir": tmp_path / "external", "lock_path": tmp_path / "raw" / "fetch.lock.json"}


def _quiet() -> Console:
    return Console(file=io.StringIO(), width=100)


def _fast(**overrides):
    options = dict(timeout=2.0, connect_timeout=2.0, retries=2, backoff=0.0, max_pages=20,
                   console=_quiet(), environ={})
    options.update(overrides)
    return options


def _zip_bytes() -> bytes:
    return synthetic.ged_zip()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(".tmp-"))


# --------------------------------------------------------------------------- registry


def test_registry_entries_are_complete(registry):
    assert {"ucdp_ged", "ucdp_ged_syria", "acled", "unhcr_population", "unhcr_flows"} <= set(
        registry.sources)
    for source in registry.sources.values():
        assert source.licence and source.citation and source.filename
    assert registry.url("ucdp_ged") == "https://ucdp.uu.se/downloads/ged/ged261-csv.zip"
    assert registry.url("unhcr_asylum_applications") == (
        "https://api.unhcr.org/population/v1/asylum-applications/")
    assert "Sundberg" in registry.sources["ucdp_ged"].citation
    assert "19.1" in registry.sources["ucdp_ged"].mirror["note"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not available")
def test_registry_mirror_paths_exist_in_shared_data(registry):
    for source in registry.sources.values():
        if source.mirror:
            assert (SHARED / source.mirror["path"]).is_file(), source.name
    # The registry's column lists are the mirror files' headers (same layout).
    for name, source in registry.sources.items():
        if source.options.get("columns") and source.mirror:
            header = (SHARED / source.mirror["path"]).open(encoding="utf-8").readline()
            assert header.strip().split(",") == source.options["columns"], name


def test_expand_sources_groups_and_unknown(registry):
    assert fx.expand_sources(["ucdp"], registry, mirror=True) == ["ucdp_ged", "ucdp_country_year"]
    assert fx.expand_sources(["ucdp"], registry) == ["ucdp_ged", "ucdp_ged_syria", "ucdp_country_year"]
    with pytest.raises(fx.FetchError, match="unknown source 'unhcr_refugees'"):
        fx.expand_sources(["unhcr_refugees"], registry)


# --------------------------------------------------------------------------- downloads


def test_download_records_sha256_in_deterministic_lock(server, registry, where):
    body = _zip_bytes()
    server.routes["/ged/ged261-csv.zip"] = [{"body": body}]
    results = fx.fetch(["ucdp_ged"], registry=registry, base_urls={"ucdp_downloads": server.url},
                       **where, **_fast())
    target = where["cache_dir"] / "ucdp_ged" / "ged261-csv.zip"
    assert [r.status for r in results] == ["pinned"]  # first fetch: no pin yet
    assert target.read_bytes() == body
    expected = hashlib.sha256(body).hexdigest()
    text = where["lock_path"].read_text(encoding="utf-8")
    lock = json.loads(text)
    entry = lock["sources"]["ucdp_ged"]
    assert entry["sha256"] == expected == results[0].sha256
    assert entry["size"] == len(body)
    assert entry["file"] == "ucdp_ged/ged261-csv.zip"
    assert entry["url"] == f"{server.url}ged/ged261-csv.zip"
    assert entry["official_url"] == "https://ucdp.uu.se/downloads/ged/ged261-csv.zip"
    assert entry["method"] == "download" and entry["version"] == "26.1"
    assert entry["licence"].startswith("CC BY 4.0") and "Sundberg" in entry["citation"]
    assert len(entry["retrieved"]) == 10 and entry["retrieved"][4] == "-"
    # Deterministic: sorted keys, fixed indent, final newline.
    assert text == json.dumps(lock, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert fx.cached_path("ucdp_ged", **where) == target
    # A second fetch verifies the cached file and downloads nothing.
    again = fx.fetch(["ucdp_ged"], registry=registry, base_urls={"ucdp_downloads": server.url},
                     **where, **_fast())
    assert [r.status for r in again] == ["unchanged"]
    assert len(server.hits("/ged/ged261-csv.zip")) == 1
    assert where["lock_path"].read_text(encoding="utf-8") == text


def test_retry_after_server_error(server, registry, where):
    body = _zip_bytes()
    server.routes["/ged/ged261-csv.zip"] = [{"status": 500, "body": b"oops"}, {"body": body}]
    results = fx.fetch(["ucdp_ged"], registry=registry, base_urls={"ucdp_downloads": server.url},
                       **where, **_fast(retries=2))
    assert results[0].status == "pinned"
    assert len(server.hits("/ged/ged261-csv.zip")) == 2
    assert (where["cache_dir"] / "ucdp_ged" / "ged261-csv.zip").read_bytes() == body


def test_client_error_is_not_retried(server, registry, where):
    server.routes["/ged/ged261-csv.zip"] = [{"status": 404, "body": b"gone"}]
    with pytest.raises(fx.FetchError, match="HTTP 404"):
        fx.fetch(["ucdp_ged"], registry=registry, base_urls={"ucdp_downloads": server.url},
                 **where, **_fast(retries=3))
    assert len(server.hits("/ged/ged261-csv.zip")) == 1
    assert not where["lock_path"].exists()


def test_timeout_gives_up_after_retries(server, registry, where):
    server.routes["/ged/ged261-csv.zip"] = [{"body": b"late", "delay": 1.0}]
    started = time.monotonic()
    with pytest.raises(fx.FetchError, match=r"failed after 2 attempts \(timeout 0.2s\)"):
        fx.fetch(["ucdp_ged"], registry=registry, base_urls={"ucdp_downloads": server.url},
                 **where, **_fast(timeout=0.2, retries=1))
    assert time.monotonic() - started < 5
    assert len(server.hits("/ged/ged261-csv.zip")) == 2
    assert not (where["cache_dir"] / "ucdp_ged" / "ged261-csv.zip").exists()
    assert _leftovers(where["cache_dir"]) == []


def test_truncated_download_leaves_no_file(server, registry, where):
    server.routes["/ged/ged261-csv.zip"] = [{"body": b"PK\x03\x04short", "length": 5000}]
    with pytest.raises(fx.FetchError, match="failed after 2 attempts"):
        fx.fetch(["ucdp_ged"], registry=registry, base_urls={"ucdp_downloads": server.url},
                 **where, **_fast(retries=1))
    assert not (where["cache_dir"] / "ucdp_ged" / "ged261-csv.zip").exists()
    assert _leftovers(where["cache_dir"]) == []
    assert not where["lock_path"].exists()


def test_truncated_then_complete_download_succeeds(server, registry, where):
    body = _zip_bytes()
    server.routes["/ged/ged261-csv.zip"] = [{"body": body[:20], "length": len(body)},
                                           {"body": body}]
    fx.fetch(["ucdp_ged"], registry=registry, base_urls={"ucdp_downloads": server.url},
             **where, **_fast(retries=1))
    assert (where["cache_dir"] / "ucdp_ged" / "ged261-csv.zip").read_bytes() == body


def test_corrupt_zip_is_not_saved(server, registry, where):
    server.routes["/ged/ged261-csv.zip"] = [{"body": b"this is not a zip archive"}]
    with pytest.raises(fx.FetchError, match="not a valid zip archive"):
        fx.fetch(["ucdp_ged"], registry=registry, base_urls={"ucdp_downloads": server.url},
                 **where, **_fast())
    assert not (where["cache_dir"] / "ucdp_ged" / "ged261-csv.zip").exists()
    assert _leftovers(where["cache_dir"]) == []


# --------------------------------------------------------------------------- UNHCR paging


def _unhcr_row(year, coo, coa, refugees, **extra):
    names = {"SYR": "Syrian Arab Rep.", "RUS": "Russian Federation", "LEB": "Lebanon",
             "GFR": "Germany"}
    iso = {"LEB": "LBN", "GFR": "DEU"}
    row = {"year": year, "coo_id": 1, "coo_name": names[coo], "coo": coo, "coo_iso": iso.get(coo, coo),
           "coa_id": 2, "coa_name": names[coa], "coa": coa, "coa_iso": iso.get(coa, coa),
           "refugees": refugees, "asylum_seekers": 0, "returned_refugees": 0, "idps": 0,
           "returned_idps": 0, "stateless": 0, "ooc": 0, "oip": "-", "hst": 0}
    row.update(extra)
    return row


def _unhcr_pages(query):
    """Paged answers of the population endpoint: 3 pages for coo=SYR, 1 for coa=RUS."""
    page, limit = int(query["page"]), int(query["limit"])
    if query.get("coo") == "SYR":
        rows = [_unhcr_row(2020 + i, "SYR", coa, 10 * i + 1) for i, coa in
                enumerate(["LEB", "GFR", "RUS", "LEB", "GFR"])]
    elif query.get("coa") == "RUS":
        rows = [_unhcr_row(2022, "SYR", "RUS", 21)]  # the same row as SYR -> RUS above
    else:
        rows = []
    pages = max(1, -(-len(rows) // limit))
    chunk = rows[(page - 1) * limit: page * limit]
    return {"page": page, "maxPages": pages, "total": {}, "items": chunk}


def test_unhcr_paging_collects_all_pages(server, registry, where):
    data = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    data["unhcr_api"]["page_size"] = 2
    small = fx.load_registry(data)
    server.routes["/population/"] = [{"body": _unhcr_pages,
                                      "headers": {"Content-Type": "application/json"}}]
    fx.fetch(["unhcr_population"], registry=small, base_urls={"unhcr_api": server.url},
             **where, **_fast())
    hits = server.hits("/population/")
    assert [(h["query"].get("coo"), h["query"].get("coa"), h["query"]["page"]) for h in hits] == [
        ("SYR", None, "1"), ("SYR", None, "2"), ("SYR", None, "3"), (None, "RUS", "1")]
    assert all(h["query"]["limit"] == "2" and h["query"]["yearFrom"] == "1951" for h in hits)
    path = where["cache_dir"] / "unhcr_population" / "population.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == small.sources["unhcr_population"].options["columns"]  # no coo_id, coa_id
    assert [(r["year"], r["coa"], r["refugees"]) for r in rows] == [
        ("2020", "LEB", "1"), ("2021", "GFR", "11"), ("2022", "RUS", "21"),
        ("2023", "LEB", "31"), ("2024", "GFR", "41")]
    assert all(r["oip"] == "" for r in rows)  # the API's "-" is an empty cell
    entry = json.loads(where["lock_path"].read_text())["sources"]["unhcr_population"]
    # The rows as the reader counts them (one per row and population type: 5 x 9), not the API's 5.
    assert entry["rows"] == 45 and entry["duplicates_across_queries"] == 1
    assert entry["method"] == "api" and len(entry["url"]) == 2
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_unhcr_changed_columns_are_an_error(server, registry, where):
    server.routes["/population/"] = [{"body": {"page": 1, "maxPages": 1,
                                               "items": [{"year": 2024, "coo": "SYR"}]}}]
    with pytest.raises(fx.FetchError, match="no longer returns coo_name"):
        fx.fetch(["unhcr_population"], registry=registry, base_urls={"unhcr_api": server.url},
                 **where, **_fast())
    assert not (where["cache_dir"] / "unhcr_population" / "population.csv").exists()


def test_page_limit_bounds_a_runaway_api(server, registry, where):
    server.routes["/population/"] = [{"body": lambda q: {"page": int(q["page"]), "maxPages": 999,
                                                         "items": [_unhcr_row(int(q["page"]), "SYR",
                                                                              "LEB", 1)]}}]
    with pytest.raises(fx.FetchError, match=r"^unhcr_population: more than 3 pages from http://"
                                            r"127\.0\.0\.1:\d+/population/; stopped$"):
        fx.fetch(["unhcr_population"], registry=registry, base_urls={"unhcr_api": server.url},
                 **where, **_fast(max_pages=3))
    assert [hit["query"]["page"] for hit in server.hits("/population/")] == ["1", "2", "3"]


def test_page_limit_bounds_a_runaway_ucdp_api(server, registry, where):
    # UCDP counts pages from 0: three pages are 0, 1 and 2.
    server.routes["/gedevents/26.1"] = [{"body": lambda q: {
        "TotalPages": 999, "Result": [synthetic.ged_event(10 + int(q["page"]))]}}]
    with pytest.raises(fx.FetchError, match=r"^ucdp_ged_syria: more than 3 pages; stopped$"):
        fx.fetch(["ucdp_ged_syria"], registry=registry, base_urls={"ucdp_api": server.url},
                 **where, **_fast(max_pages=3, environ={"UCDP_API_TOKEN": "ucdp-tok"}))
    assert [hit["query"]["page"] for hit in server.hits("/gedevents/26.1")] == ["0", "1", "2"]
    assert not where["lock_path"].exists()


def test_page_limit_bounds_a_runaway_acled_api(server, registry, where):
    data = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    data["sources"]["acled"]["page_size"] = 1  # every page is full: ACLED never says it is done
    server.routes["/oauth/token"] = [{"body": {"access_token": "tok-XYZ"}}]
    server.routes["/api/acled/read"] = [{"body": {"status": 200,
                                                  "data": synthetic.acled_events(1)}}]
    with pytest.raises(fx.FetchError, match=r"^acled: more than 2 pages; stopped$"):
        fx.fetch(["acled"], registry=fx.load_registry(data), base_urls={"acled": server.url},
                 **where, **_fast(max_pages=2, environ={"ACLED_EMAIL": "a@b.c",
                                                        "ACLED_PASSWORD": "pw"}))
    assert [hit["query"]["page"] for hit in server.hits("/api/acled/read")] == ["1", "2"]


# --------------------------------------------------------------------------- checksums


def _mirror(tmp_path: Path) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "ucdp").mkdir(parents=True)
    (mirror / "unhcr").mkdir()
    (mirror / "ucdp" / "ged191_syria_2016_2019.csv").write_bytes(synthetic.ged_csv())
    (mirror / "unhcr" / "population.csv").write_bytes(synthetic.population_csv())
    return mirror


def test_mirror_copies_and_records(tmp_path, registry, where):
    mirror = _mirror(tmp_path)
    results = fx.fetch(["ucdp_ged", "unhcr_population"], mirror=mirror, registry=registry,
                       **where, **_fast())
    assert [r.status for r in results] == ["pinned", "pinned"]
    ged = where["cache_dir"] / "ucdp_ged" / "ged191_syria_2016_2019.csv"
    assert ged.read_bytes() == (mirror / "ucdp" / "ged191_syria_2016_2019.csv").read_bytes()
    lock = json.loads(where["lock_path"].read_text())["sources"]
    assert lock["ucdp_ged"]["method"] == "mirror"
    assert lock["ucdp_ged"]["url"] == "mirror:ucdp/ged191_syria_2016_2019.csv"
    assert lock["ucdp_ged"]["version"] == "19.1"  # what was used, not the registry's 26.1
    assert "NOT the current global release" in lock["ucdp_ged"]["note"]
    assert lock["ucdp_ged"]["official_url"].endswith("ged261-csv.zip")
    assert lock["unhcr_population"]["sha256"] == hashlib.sha256(
        (mirror / "unhcr" / "population.csv").read_bytes()).hexdigest()
    assert str(mirror) not in where["lock_path"].read_text()  # no machine-specific paths
    again = fx.fetch(["ucdp_ged"], mirror=mirror, registry=registry, **where, **_fast())
    assert again[0].status == "unchanged"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not available")
def test_mirror_of_shared_data_matches_its_sha256sums(registry, where):
    sums = dict(line.split()[::-1] for line in (SHARED / "SHA256SUMS").read_text().splitlines()
                if line.strip())
    fx.fetch(["unhcr_solutions", "unhcr_flows"], mirror=SHARED, registry=registry, **where,
             **_fast())
    lock = json.loads(where["lock_path"].read_text())["sources"]
    assert lock["unhcr_solutions"]["sha256"] == sums["unhcr/solutions.csv"]
    assert lock["unhcr_flows"]["sha256"] == sums["unhcr/flows.csv"]


def test_checksum_mismatch_on_later_use(tmp_path, registry, where):
    mirror = _mirror(tmp_path)
    fx.fetch(["unhcr_population"], mirror=mirror, registry=registry, **where, **_fast())
    path = fx.cached_path("unhcr_population", **where)
    expected = json.loads(where["lock_path"].read_text())["sources"]["unhcr_population"]["sha256"]
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2025,Syrian Arab Rep.,SYR,SYR,Lebanon,LEB,LBN,1,0,0,0,0,0,0,,0\n")
    found = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(fx.ChecksumError) as info:
        fx.cached_path("unhcr_population", **where)
    message = str(info.value)
    assert f"expected {expected}" in message and f"found {found}" in message
    assert "refugeestudy fetch unhcr_population --mirror DIR --force" in info.value.hint
    with pytest.raises(fx.ChecksumError):
        fx.verify(**where)
    with pytest.raises(fx.ChecksumError):  # fetch does not silently overwrite it either
        fx.fetch(["unhcr_population"], mirror=mirror, registry=registry, **where, **_fast())
    fx.fetch(["unhcr_population"], mirror=mirror, registry=registry, force=True, **where,
             **_fast())
    assert fx.verify(**where) == {"unhcr_population": path}


def test_unlocked_source_is_not_used(where):
    with pytest.raises(fx.FetchError, match="not fetched yet"):
        fx.cached_path("acled", **where)


def test_mirror_only_source_needs_mirror(registry, where):
    with pytest.raises(fx.FetchError, match="no official machine endpoint.*--mirror"):
        fx.fetch(["unhcr_flows"], registry=registry, **where, **_fast())


def test_missing_mirror_file_is_named(tmp_path, registry, where):
    (tmp_path / "empty").mkdir()
    with pytest.raises(fx.FetchError, match="mirror file .*unhcr/demographics.csv not found"):
        fx.fetch(["unhcr_demographics"], mirror=tmp_path / "empty", registry=registry, **where,
                 **_fast())


# --------------------------------------------------------------------------- credentials


def test_acled_without_credentials_names_the_variables(registry, where):
    with pytest.raises(fx.MissingCredentialsError) as info:
        fx.fetch(["acled"], registry=registry, **where, **_fast(environ={"ACLED_EMAIL": "a@b.c"}))
    said = f"{info.value} {info.value.hint}"
    assert "ACLED_PASSWORD or ACLED_KEY not set" in str(info.value)
    for name in ("ACLED_EMAIL", "ACLED_PASSWORD", "ACLED_KEY"):
        assert name in said
    assert "a@b.c" not in said


def test_all_skips_sources_without_credentials(tmp_path, registry, where, server):
    # "ucdp" in network mode: ucdp_ged downloads, ucdp_ged_syria is skipped (no token), loudly.
    server.routes["/ged/ged261-csv.zip"] = [{"body": _zip_bytes()}]
    server.routes["/organizedviolencecy/organizedviolencecy-251-csv.zip"] = [
        {"body": synthetic.zipped("organizedviolencecy_v25_1.csv", synthetic.country_year_csv())}]
    results = fx.fetch(["ucdp"], registry=registry, base_urls={"ucdp_downloads": server.url},
                       **where, **_fast())
    assert [(r.source, r.status) for r in results] == [("ucdp_ged", "pinned"),
                                                       ("ucdp_ged_syria", "skipped"),
                                                       ("ucdp_country_year", "pinned")]
    assert "UCDP_API_TOKEN" in results[1].message


def test_acled_oauth_paging_and_secrets_stay_secret(server, registry, where):
    secrets = {"ACLED_EMAIL": "researcher@example.org", "ACLED_PASSWORD": "s3cret-pa55"}
    data = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    data["sources"]["acled"]["page_size"] = 2
    small = fx.load_registry(data)
    server.routes["/oauth/token"] = [{"body": {"access_token": "tok-XYZ", "expires_in": 86400}}]
    events = synthetic.acled_events(3)
    server.routes["/api/acled/read"] = [{"body": lambda q: {
        "status": 200, "success": True,
        "data": events[(int(q["page"]) - 1) * 2: int(q["page"]) * 2]}}]
    fx.fetch(["acled"], registry=small, base_urls={"acled": server.url}, **where,
             **_fast(environ=secrets))
    token_call = server.hits("/oauth/token")[0]
    assert b"grant_type=password" in token_call["body"] and b"client_id=acled" in token_call["body"]
    reads = server.hits("/api/acled/read")
    assert [r["query"]["page"] for r in reads] == ["1", "2"]
    assert all(r["headers"]["Authorization"] == "Bearer tok-XYZ" for r in reads)
    assert reads[0]["query"]["country"] == "Syria"
    csv_text = (where["cache_dir"] / "acled" / "acled_syria.csv").read_text()
    assert list(csv.DictReader(io.StringIO(csv_text))) == events
    written = where["lock_path"].read_text() + csv_text
    for secret in [*secrets.values(), "researcher%40example.org", "tok-XYZ"]:
        assert secret not in written
    assert "no redistribution" in json.loads(where["lock_path"].read_text())["sources"]["acled"]["licence"]


def test_acled_legacy_key_never_appears_in_errors(server, registry, where):
    secrets = {"ACLED_EMAIL": "researcher@example.org", "ACLED_KEY": "KEY-123-abc"}
    # The server echoes the request (with key and e-mail in the query) in its error page.
    server.routes["/acled/read"] = [{"status": 403, "body": lambda q: json.dumps(q).encode()}]
    with pytest.raises(fx.FetchError) as info:
        fx.fetch(["acled"], registry=registry, base_urls={"acled_legacy": server.url}, **where,
                 **_fast(environ=secrets))
    message = str(info.value)
    assert "HTTP 403" in message and "***" in message
    for secret in ("KEY-123-abc", "researcher@example.org", "researcher%40example.org"):
        assert secret not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert server.hits("/acled/read")[0]["query"]["key"] == "KEY-123-abc"
    assert not where["lock_path"].exists()


def test_ucdp_api_sends_token_and_pages(server, registry, where):
    def pages(query):
        page = int(query["page"])
        return {"TotalCount": 3, "TotalPages": 2, "Result": [
            synthetic.ged_event(10 + page * 2 + i) for i in range(2 - page)]}

    server.routes["/gedevents/26.1"] = [{"body": pages}]
    fx.fetch(["ucdp_ged_syria"], registry=registry, base_urls={"ucdp_api": server.url}, **where,
             **_fast(environ={"UCDP_API_TOKEN": "ucdp-tok"}))
    hits = server.hits("/gedevents/26.1")
    assert [h["query"]["page"] for h in hits] == ["0", "1"]
    assert all(h["headers"]["x-ucdp-access-token"] == "ucdp-tok" for h in hits)
    assert hits[0]["query"]["Country"] == "652"
    text = (where["cache_dir"] / "ucdp_ged_syria" / "gedevents_26.1_syria.csv").read_text()
    assert [row["id"] for row in csv.DictReader(io.StringIO(text))] == ["10", "11", "12"]
    assert "ucdp-tok" not in where["lock_path"].read_text()
