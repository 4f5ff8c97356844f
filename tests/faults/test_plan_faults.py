"""Bad run plans and parameters: each refused with one ``error:``/``hint:`` pair before any kernel starts.

Every case edits a copy of the project's ``reports.yml`` in a throw-away
project, runs ``refugeestudy run --plan-file <it>`` and asserts the words of
the message, exit code 1, and that no file of the project changed (no report
written, nothing deleted: a report named ``../data`` leaves ``data/``
byte-identical). The inputs rightly accepted come last.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from refugeestudy.pipeline.plan import PlanError
from refugeestudy.pipeline.run import load_plan


def _base(root: Path) -> dict:
    return yaml.safe_load((root / "reports.yml").read_text(encoding="utf-8"))


def _rename(plan: str, old: str, new):
    def edit(d):
        reports = d["plans"][plan]["reports"]
        d["plans"][plan]["reports"] = {(new if k == old else k): v for k, v in reports.items()}

    return edit


def _set(plan: str, key: str, value, report: str | None = None):
    def edit(d):
        target = d["plans"][plan] if report is None else d["plans"][plan]["reports"][report]
        target[key] = value

    return edit


def _drop(plan: str, key: str, report: str | None = None):
    def edit(d):
        target = d["plans"][plan] if report is None else d["plans"][plan]["reports"][report]
        del target[key]

    return edit


def _param(plan: str, report: str, name: str, value):
    def edit(d):
        entry = d["plans"][plan]["reports"][report]
        entry["parameters"] = {**(entry.get("parameters") or {}), name: value}

    return edit


def _whole(value):
    def edit(d):
        d.clear()
        d["__replace__"] = value

    return edit


E, FULL = "embedded", "full"
A, V, R, D = "01-data-audit", "02-violence-timeline", "03-arrivals-vs-violence", "04-destinations"
REFUSED = "is refused: names are folder names"
# (id, edit of the plan document, words of the error)
PLAN_CASES = [
    ("report-named-dotdot-data", _rename(E, A, "../data"), f"report name '../data' {REFUSED}"),
    ("report-named-dotdot", _rename(E, A, ".."), f"report name '..' {REFUSED}"),
    ("report-named-dot", _rename(E, A, "."), f"report name '.' {REFUSED}"),
    ("report-named-absolute", _rename(E, A, "/tmp/x"), f"report name '/tmp/x' {REFUSED}"),
    ("report-named-slash", _rename(E, A, "a/b"), f"report name 'a/b' {REFUSED}"),
    ("report-named-upper", _rename(E, A, "Audit"), f"report name 'Audit' {REFUSED}"),
    ("report-named-space", _rename(E, A, "data audit"), f"report name 'data audit' {REFUSED}"),
    ("report-named-hidden", _rename(E, A, ".audit"), f"report name '.audit' {REFUSED}"),
    ("report-named-dash-first", _rename(E, A, "-audit"), f"report name '-audit' {REFUSED}"),
    ("report-named-empty", _rename(E, A, ""), f"report name '' {REFUSED}"),
    ("report-named-number", _rename(E, A, 7), f"report name 7 {REFUSED}"),
    ("report-named-underscore", _rename(E, A, "data_audit"), f"report name 'data_audit' {REFUSED}"),
    ("report-named-full-clashes", _rename(E, A, "full"), "its folder reports/full is the output of plan 'full'"),
    ("plan-named-dotdot", lambda d: d["plans"].update({"../x": d["plans"].pop(FULL)}), f"plan name '../x' {REFUSED}"),
    ("output-absolute", _set(FULL, "output", "/tmp/x"), "`output` '/tmp/x' is outside the project"),
    ("output-dotdot-data", _set(FULL, "output", "../data"), "`output` '../data' is outside the project"),
    ("output-data", _set(FULL, "output", "data"), "output 'data' is outside the project's reports/ folder"),
    ("output-escape-via-reports", _set(FULL, "output", "reports/../data"), "output 'reports/../data' is outside the project's reports/"),
    ("output-project-root", _set(FULL, "output", "."), "output '.' is outside the project's reports/"),
    ("output-missing", _drop(FULL, "output"), "plan 'full': no `output:` folder"),
    ("output-number", _set(FULL, "output", 5), "`output` must be a path relative to the project root, found 5"),
    ("two-plans-one-output", _set(FULL, "output", "reports"), "plans 'embedded' and 'full' write to the same folder"),
    ("notebook-missing-key", _drop(E, "notebook", A), "report '01-data-audit': no `notebook:`"),
    ("notebook-outside", _set(E, "notebook", "/etc/hostname", A), "`notebook` '/etc/hostname' is outside the project"),
    ("notebook-dotdot", _set(E, "notebook", "../x.ipynb", A), "`notebook` '../x.ipynb' is outside the project"),
    ("notebook-not-found", _set(E, "notebook", "notebooks/99-none.ipynb", A), "notebook notebooks/99-none.ipynb not found"),
    ("notebook-is-folder", _set(E, "notebook", "notebooks", A), "notebook notebooks not found"),
    ("notebook-not-json", _set(E, "notebook", "reports.yml", A), "reports.yml: not a Jupyter notebook (Expecting value"),
    ("notebook-no-parameters-cell", _set(E, "notebook", "data/raw/fetch.lock.json", A), "expected one cell tagged 'parameters', found 0"),
    ("report-misspelt-key", lambda d: d["plans"][E]["reports"][A].update(paramters={}), "unknown key(s) paramters"),
    ("plan-misspelt-key", _set(E, "outptu", "reports"), "plan 'embedded': unknown key(s) outptu"),
    ("reports-missing", _drop(E, "reports"), "plan 'embedded': no `reports:`"),
    ("reports-empty", _set(E, "reports", {}), "plan 'embedded': no `reports:`"),
    ("reports-a-list", _set(E, "reports", ["01-data-audit"]), "plan 'embedded': no `reports:`"),
    ("report-a-string", lambda d: d["plans"][E]["reports"].update({A: "notebooks/01-data-audit.ipynb"}), "expected a mapping with `notebook:`"),
    ("parameters-a-list", _set(E, "parameters", ["start"], A), "`parameters` must be a mapping"),
    ("inputs-a-string", _set(E, "inputs", "data/raw/reports/figures.csv", A), "`inputs` must be a list of paths or globs"),
    ("inputs-outside", _set(E, "inputs", ["/etc/*"], A), "`inputs` '/etc/*' is outside the project"),
    ("inputs-dotdot", _set(E, "inputs", ["../secrets.txt"], A), "`inputs` '../secrets.txt' is outside the project"),
    ("summary-a-list", _set(E, "summary", ["a"], A), "`summary` must be text"),
    ("build-unknown", _set(FULL, "build", "everything"), "`build` must be one of log, fetched, found 'everything'"),
    ("requires-bad-name", _set(FULL, "requires", ["ucdp ged"]), "`requires` must be a list of source names"),
    ("requires-a-string", _set(FULL, "requires", "ucdp_ged"), "`requires` must be a list of source names"),
    ("plan-a-list", lambda d: d["plans"].update({FULL: ["x"]}), "plan 'full': expected a mapping"),
    ("plans-a-list", _whole({"plans": ["embedded"]}), "expected a mapping `plans:` holding at least one plan"),
    ("plans-missing", _whole({"reports": {}}), "expected a mapping `plans:` holding at least one plan"),
    ("plans-empty", _whole({"plans": {}}), "expected a mapping `plans:` holding at least one plan"),
    ("document-a-scalar", _whole("reports"), "expected a mapping `plans:` holding at least one plan"),
]
# (id, plan, report, parameter, value, words of the error)
PARAMETER_CASES = [
    ("start-after-end", E, V, {"start": "2025-04-30", "end": "2025-03-01"}, "parameter 'start' (2025-04-30) is after 'end' (2025-03-01)"),
    ("start-after-end-audit", E, A, {"start": "2025-06-01"}, "parameter 'start' (2025-06-01) is after 'end' (2025-05-01)"),
    ("first-year-after-last", FULL, D, {"first_year": 2020, "last_year": 2015}, "parameter 'first_year' (2020) is after 'last_year' (2015)"),
    ("date-invalid", E, V, {"start": "2025-13-01"}, "parameter 'start': expected a date as YYYY-MM-DD, found '2025-13-01'"),
    ("date-a-number", E, V, {"end": 20250430}, "parameter 'end': expected str, found int 20250430"),
    ("unknown-parameter", E, V, {"sauce": "reports"}, "unknown parameter 'sauce' (did you mean 'source'?)"),
    ("secret-looking-parameter", E, V, {"api_key": "x"}, "unknown parameter 'api_key'"),
    ("source-unknown", E, V, {"source": "ged"}, "parameter 'source': 'ged' is not one of reports, ucdp_ged, acled"),
    ("freq-unknown", E, V, {"freq": "W"}, "parameter 'freq': 'W' is not one of D, W-MON, MS, QS, YS"),
    ("admin1-unknown", E, V, {"admin1": ["SY04", "SY99"]}, "parameter 'admin1': 'SY99' is not one of"),
    ("admin1-a-string", E, V, {"admin1": "SY04"}, "parameter 'admin1': expected list, found str 'SY04'"),
    ("text-given-a-dict", E, R, {"destination": {"region": "RU-PER"}}, "parameter 'destination': expected str, found dict"),
    ("text-given-a-list", E, R, {"destination": ["RU-PER"]}, "parameter 'destination': expected str, found list"),
    ("region-unknown", E, R, {"destination": "RU-XXX"}, "parameter 'destination': expected an ISO3 country code or a known ISO 3166-2 region, found 'RU-XXX'"),
    ("region-a-name", E, R, {"destination": "Perm"}, "a known ISO 3166-2 region, found 'Perm'"),
    ("country-a-name", E, R, {"destination": "Lebanon"}, "parameter 'destination': expected an ISO3 country code or a known ISO 3166-2 region, found 'Lebanon'"),
    ("country-lower-case", E, R, {"destination": "lbn"}, "a known ISO 3166-2 region, found 'lbn'"),
    ("compared-region-unknown", E, R, {"compare_destinations": ["LBN", "LB-XX"]}, "parameter 'compare_destinations': expected an ISO3 country code or a known ISO 3166-2 region, found 'LB-XX'"),
    ("governorate-unknown", E, R, {"governorates": ["SY04", "SY15"]}, "parameter 'governorates': 'SY15' is not one of"),
    ("country-iso2", FULL, D, {"focus": "RU"}, "parameter 'focus': expected an ISO3 country code such as 'LBN', found 'RU'"),
    ("origin-a-number", FULL, D, {"origin": 760}, "parameter 'origin': expected str, found int 760"),
    ("top-out-of-range", FULL, D, {"top": 0}, "parameter 'top': 0 is outside the range 1..11"),
    ("top-a-bool", FULL, D, {"top": True}, "parameter 'top': expected int, found bool True"),
    ("year-out-of-range", FULL, D, {"first_year": 1900}, "parameter 'first_year': 1900 is outside the range 1951..2030"),
    ("lags-with-text", FULL, R, {"lags": [0, "one"]}, "parameter 'lags': expected a list of int, found str 'one'"),
    ("population-types-a-string", E, R, {"compare_population_types": "arrivals"}, "parameter 'compare_population_types': expected list, found str 'arrivals'"),
    # Issue 18: each of these ran to a report (or an IndexError in a cell)
    ("lags-empty", FULL, R, {"lags": []}, "parameter 'lags': expected a non-empty list of int, found []"),
    ("lags-negative", FULL, R, {"lags": [-1]}, "parameter 'lags': -1 is outside the range 0..10"),
    ("lags-huge", FULL, R, {"lags": [100000]}, "parameter 'lags': 100000 is outside the range 0..10"),
    ("event-label-unknown", E, R, {"event_label": "no_such_event"}, "parameter 'event_label': expected the label of a key event of the curated log or \"\", found 'no_such_event'; labels: assad_fall"),
    ("event-label-misspelt", E, R, {"event_label": "coastal_violence_stat"}, "found 'coastal_violence_stat' (did you mean 'coastal_violence_start'?)"),
    ("provisional-years-text", FULL, D, {"provisional_years": ["abc"]}, "parameter 'provisional_years': expected a list of int, found str 'abc' in it"),
    ("provisional-years-outside-the-years", FULL, D, {"provisional_years": [2030]}, "parameter 'provisional_years': 2030 is outside first_year..last_year (2011..2025)"),
    ("case-years-text", FULL, "05-origin-destination-panel", {"case_years": ["2024"]}, "parameter 'case_years': expected a list of int, found str '2024' in it"),
]
RAW_CASES = [
    ("invalid-yaml-bracket", "plans: {embedded: [\n", "not valid YAML (line"),
    ("invalid-yaml-tab", "plans:\n\tembedded: {}\n", "not valid YAML (line 2, column 1)"),
    ("empty-file", "", "expected a mapping `plans:` holding at least one plan"),
    ("not-utf8", b"plans:\n  \xff\xfe: {}\n", "not UTF-8 text"),
]


def _write(root: Path, document) -> Path:
    path = root / "plan-under-test.yml"
    if isinstance(document, bytes):
        path.write_bytes(document)
    elif isinstance(document, str):
        path.write_text(document, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
    return path


def _refused(root: Path, cli, unchanged, plan_file: Path, words: str, plan: str = "embedded"):
    with unchanged(root):
        code, output = cli("run", "--plan", plan, "--plan-file", str(plan_file))
    assert code == 1, output
    first, *rest = output.splitlines()
    assert first.startswith("error: "), output
    assert words in output, output
    assert rest and rest[0].startswith("hint: "), output
    assert not (root / "reports").exists()


@pytest.mark.parametrize("case_id, edit, words", PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_plan_fault(project, cli, unchanged, case_id, edit, words):
    document = copy.deepcopy(_base(project))
    edit(document)
    document = document.get("__replace__", document)
    _refused(project, cli, unchanged, _write(project, document), words)


@pytest.mark.parametrize("case_id, plan, report, values, words", PARAMETER_CASES,
                         ids=[c[0] for c in PARAMETER_CASES])
def test_parameter_fault(project, cli, unchanged, case_id, plan, report, values, words):
    document = _base(project)
    for name, value in values.items():
        _param(plan, report, name, value)(document)
    path = _write(project, document)
    _refused(project, cli, unchanged, path, words, plan)
    assert f"report {report!r}" in cli("run", "--plan", plan, "--plan-file", str(path))[1]


@pytest.mark.parametrize("case_id, text, words", RAW_CASES, ids=[c[0] for c in RAW_CASES])
def test_plan_file_fault(project, cli, unchanged, case_id, text, words):
    _refused(project, cli, unchanged, _write(project, text), words)


def test_missing_plan_file(project, cli, unchanged):
    _refused(project, cli, unchanged, project / "no-such-plan.yml", "no such run-plan file")


def test_plan_file_is_a_folder(project, cli, unchanged):
    (project / "a-folder.yml").mkdir()
    _refused(project, cli, unchanged, project / "a-folder.yml", "no such run-plan file")


def test_unknown_plan_and_report_names(project, cli, unchanged):
    with unchanged(project):
        code, output = cli("run", "--plan", "nightly")
        assert code == 1 and "no plan 'nightly'; plans: embedded, full" in output
        code, output = cli("run", "99-nothing")
        assert code == 1 and "unknown report(s) 99-nothing" in output and "hint: " in output


def test_report_named_dotdot_data_leaves_data_byte_identical(project, cli, unchanged):
    """The issue's worst case: a report named ``../data`` replaced the whole data/ folder."""
    document = _base(project)
    _rename(E, A, "../data")(document)
    with unchanged(project / "data"):
        code, output = cli("run", "--plan-file", str(_write(project, document)), "--force")
    assert code == 1 and "report name '../data' is refused" in output
    assert (project / "data" / "raw" / "reports" / "figures.csv").is_file()


# --------------------------------------------------------------------------- rightly accepted
ACCEPTED = [
    ("report-named-digits-and-dashes", _rename(E, A, "05-a-b-c"), E, "05-a-b-c"),
    ("output-normalised-inside", _set(FULL, "output", "reports/./full/../full"), FULL, "02-violence-timeline"),
    ("start-equals-end", _param(E, V, "end", "2025-03-01"), E, "02-violence-timeline"),
    ("no-timed-event", _param(E, R, "event_label", ""), E, "03-arrivals-vs-violence"),
    ("region-known", lambda d: (_param(E, R, "destination", "RU-PER")(d),
                                _param(E, R, "compare_destinations", ["RUS", "RU-PER"])(d)), E, "03-arrivals-vs-violence"),
    ("top-at-its-bound", _param(FULL, D, "top", 11), FULL, "04-destinations"),
    ("no-parameters", _set(E, "parameters", None, V), E, "02-violence-timeline"),
]


@pytest.mark.parametrize("case_id, edit, plan, name", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_rightly_accepted_plan(project, unchanged, case_id, edit, plan, name):
    document = _base(project)
    edit(document)
    path = _write(project, document)
    with unchanged(project):
        specs = load_plan(path, plan)
    assert name in [spec.name for spec in specs]
    for spec in specs:
        assert spec.output.resolve().is_relative_to((project / "reports").resolve())


def test_relative_plan_file_works(project, unchanged):
    """Regression: any relative --plan-file, even `reports.yml`, crashed with 'is not in the subpath'."""
    with unchanged(project):
        specs = load_plan("reports.yml", "embedded")
        again = load_plan(Path("notebooks") / ".." / "reports.yml", "full")
    assert specs[0].output == (project / "reports" / "01-data-audit").resolve()
    assert again[0].output_root == (project / "reports" / "full").resolve()
    assert specs[1].inputs == ("data/processed/embedded/report_figures.parquet",)
    assert again[0].inputs == ("data/processed/full/violence_events.parquet",)


def test_plan_error_is_a_refugeestudy_error_with_a_hint(project):
    with pytest.raises(PlanError) as info:
        load_plan(project / "missing.yml")
    assert info.value.hint == "run from the project root or pass --plan-file PATH"
