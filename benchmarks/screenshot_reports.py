"""Screenshot every report and index page with headless Chromium; fail on what a reader must not see.

Usage::

    python benchmarks/screenshot_reports.py [REPORTS_FOLDER] [--out FOLDER] [--no-screenshots]

Finds every report page (``<plan output>/<name>/<name>.html``, both plans) and
every ``index.html`` under ``REPORTS_FOLDER`` (default ``reports``), checks each
page's HTML and writes a full-width, full-height PNG of it with ``chromium --headless``
(the page's height is measured first; default folder ``benchmarks/output/screenshots``,
not committed). A page fails when its HTML holds:

* ``PosixPath`` (a stray cell output);
* a pandas frequency code (``W-MON``, ``MS``, ``YS``, ``QS`` ...) as a word of the visible text;
* an index column: a table whose first header cell is empty, or whose first
  column is an unnamed 0, 1, 2, ... range;
* a link whose text is cut with "…" (every source is shown in full);
* a table whose body has no row (an analysis that cannot run is one sentence, not an empty table).

Text inside a closed ``<details>`` element (the provenance: parameters and
checksums) is not visible text. Internal codes (``SY04``, ``ucdp_ged``) and a
missing "Limitations" section are reported as warnings. Exit code 1 when any
page fails; 2 when Chromium is needed and missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup

FREQUENCY_CODE = re.compile(r"(?<![\w-])(W-(?:MON|TUE|WED|THU|FRI|SAT|SUN)|MS|YS|QS|AS|BMS|QS-[A-Z]{3}|"
                            r"YS-[A-Z]{3})(?![\w-])")
INTERNAL_CODE = re.compile(r"(?<![\w-])(SY\d\d|ucdp_ged|unhcr_[a-z_]+)(?![\w-])")


def report_pages(folder: Path) -> list[Path]:
    """Every index page and report page under ``folder`` (sorted)."""
    pages = sorted(folder.rglob("index.html"))
    pages += sorted(p for p in folder.rglob("*.html")
                    if p.name != "index.html" and p.stem == p.parent.name
                    and ".staging" not in p.parts)
    return pages


def visible_text(soup: BeautifulSoup, *, prose_only: bool = False) -> str:
    """The text a reader sees: no scripts, styles or closed ``<details>``.

    With ``prose_only``, text set as code (``<code>``, ``<pre>``: commands and
    parameters to type as written) is left out too.
    """
    soup = BeautifulSoup(str(soup), "html.parser")
    for element in soup(["script", "style", "head"] + (["code", "pre"] if prose_only else [])):
        element.decompose()
    for element in soup.find_all("details"):
        if not element.has_attr("open"):
            element.decompose()
    return soup.get_text(" ")


def _table_problems(table, number: int) -> list[str]:
    rows = table.find_all("tr")
    body = table.find("tbody")
    body_rows = body.find_all("tr") if body is not None else rows[1:]
    if not body_rows:
        return [f"table {number}: its body has no row"]
    problems = []
    header = rows[0].find_all(["th", "td"])
    if header and not header[0].get_text(strip=True):
        problems.append(f"table {number}: its first header cell is empty (an index column)")
    first_column = []
    for row in rows[1:]:
        cells = row.find_all(["th", "td"])
        if cells:
            first_column.append(cells[0].get_text(strip=True))
    if len(first_column) >= 2 and first_column == [str(i) for i in range(len(first_column))]:
        name = header[0].get_text(strip=True) if header else ""
        if name in ("", "index", "level_0"):
            problems.append(f"table {number}: its first column is an unnamed 0..{len(first_column) - 1} "
                            "range (an index column)")
    return problems


def check_page(path: Path) -> tuple[list[str], list[str]]:
    """Return (failures, warnings) for one HTML page."""
    text = path.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    failures, warnings = [], []
    if "PosixPath" in text:
        failures.append("contains PosixPath(...) (a stray cell output)")
    visible = visible_text(soup)
    codes = sorted(set(FREQUENCY_CODE.findall(visible)))
    if codes:
        failures.append(f"pandas frequency code(s) in the text: {', '.join(codes)}")
    for number, table in enumerate(soup.find_all("table"), start=1):
        failures += _table_problems(table, number)
    cut = [a.get_text(strip=True) for a in soup.find_all("a") if a.get_text(strip=True).endswith("…")]
    if cut:
        failures.append(f"{len(cut)} link(s) cut short with '…', e.g. {cut[0]!r}")
    internal = sorted(set(INTERNAL_CODE.findall(visible_text(soup, prose_only=True))))
    if internal:
        warnings.append(f"internal code(s) in the text: {', '.join(internal[:8])}")
    if path.name != "index.html" and "Limitations" not in visible:
        warnings.append("no Limitations section")
    return failures, warnings


_CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                   "--disable-extensions")
_MEASURE = ('<script>window.addEventListener("load", () => document.body.setAttribute('
            '"data-page-height", document.documentElement.scrollHeight));</script>')


def page_height(chromium: str, page: Path, width: int = 1280) -> int:
    """The page's full height in pixels at ``width``, measured by Chromium once it has loaded.

    A copy of the page with a ``<base>`` pointing at its folder (figures load) and a script
    that writes the height into the DOM is rendered with ``--dump-dom``; the page itself is
    never touched.
    """
    text = page.read_text(encoding="utf-8")
    base = f'<base href="{page.resolve().parent.as_uri()}/">'
    text = text.replace("<head>", "<head>" + base, 1) + _MEASURE
    with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8", delete=False) as copy:
        copy.write(text)
    try:
        dom = subprocess.run([chromium, *_CHROMIUM_FLAGS, f"--window-size={width},1000",
                              "--virtual-time-budget=10000", "--dump-dom", Path(copy.name).as_uri()],
                             check=True, capture_output=True, text=True, timeout=120).stdout
    finally:
        Path(copy.name).unlink()
    found = re.search(r'data-page-height="(\d+)"', dom)
    return int(found.group(1)) if found else 6000


def screenshot(chromium: str, page: Path, target: Path) -> None:
    """A full-width, full-height PNG of ``page``."""
    height = page_height(chromium, page)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([chromium, *_CHROMIUM_FLAGS, f"--window-size=1280,{height}",
                    f"--screenshot={target}", page.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="reports", type=Path)
    parser.add_argument("--out", default=Path("benchmarks/output/screenshots"), type=Path)
    parser.add_argument("--no-screenshots", action="store_true", help="Only check the HTML.")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not args.no_screenshots and chromium is None:
        print("chromium not found: install it (apt-get install chromium) or pass --no-screenshots")
        return 2
    pages = report_pages(args.folder)
    if not pages:
        print(f"no report pages under {args.folder}")
        return 1
    failed = 0
    for page in pages:
        failures, warnings = check_page(page)
        relative = page.relative_to(args.folder)
        if not args.no_screenshots:
            target = args.out / relative.with_suffix(".png")
            screenshot(chromium, page, target)
        status = "FAIL" if failures else "ok"
        print(f"{status:4} {relative}" + ("" if args.no_screenshots else f" -> {target}"))
        for problem in failures:
            print(f"     fail: {problem}")
        for problem in warnings:
            print(f"     warn: {problem}")
        failed += bool(failures)
    print(f"screenshots: {len(pages)} pages checked, {failed} with a reader-facing defect")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
