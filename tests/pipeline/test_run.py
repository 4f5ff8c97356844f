"""The report runner on a throw-away project: provenance, caching, failure, secrets, bytes.

A temporary project (``REFUGEESTUDY_ROOT``) holds the synthetic log
``tests/data/log_ok``, one small notebook and a ``reports.yml`` with two
reports of it. Each kernel run costs a few seconds, so the project is built and
run once per module and the tests below share it; the tests that change it
come last and leave the other reports' state as the earlier tests expect.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import refugeestudy
from refugeestudy.pipeline.run import PlanError, load_plan, run_reports

TESTS = Path(__file__).resolve().parents[1]
LOG_OK = TESTS / "data" / "log_ok"
SECRET = "acled-" + secrets.token_hex(16)

PARAMETERS = '''\
label = "demo"  # one of: demo, other
scale = 2.0  # range: 0..10
fail = False
'''

BODY = '''\
import os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import refugeestudy
from refugeestudy.plots import save_figure, use_house_style
from refugeestudy.pipeline.report import write_results
import json
from ipykernel.connect import get_connection_info

log = refugeestudy.load_reports()
key_seen = bool(os.environ.get("ACLED_KEY"))  # read, never shown
use_house_style()
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot([0, 1, 2], [1, scale, 3], label=label)
ax.set_title(f"{label}: {len(log.figures)} figures")
ax.set_xlabel("x (synthetic)")
ax.set_ylabel("y (synthetic units)")
save_figure(fig, "line", source="synthetic test data", licence="none")
write_results({"label": label, "scale": scale, "figures": len(log.figures),
               "deaths_best": int(log.violence["deaths_best"].sum()), "acled_key_seen": key_seen,
               "plan": os.environ.get("REFUGEESTUDY_PLAN"),
               "hash_seed": os.environ.get("PYTHONHASHSEED"),
               "kernel_transport": json.loads(get_connection_info())["transport"],
               "kernel_parent": (open(f"/proc/{os.getppid()}/cmdline").read().replace("\\0", " ")
                                 if os.path.exists("/proc") else None)})
'''

FAILING = '''\
if fail:
    raise RuntimeError("deliberate failure for the test")
'''

PLAN = """\
plans:
  embedded:
    output: reports
    reports:
      a-figures:
        notebook: notebooks/demo.ipynb
        summary: Reads figures.
        inputs: [data/raw/reports/figures.csv]
        parameters: {label: demo, scale: 3}
      b-sources:
        notebook: notebooks/demo.ipynb
        summary: Reads sources.
        inputs: [data/raw/reports/sources.csv]
        parameters: {label: other}
"""


def _write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Demo report"), params,
                nbformat.v4.new_code_cell(BODY), nbformat.v4.new_code_cell(FAILING)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(LOG_OK, root / "data" / "raw" / "reports")
    _write_notebook(root / "notebooks" / "demo.ipynb")
    (root / "reports.yml").write_text(PLAN, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REFUGEESTUDY_ROOT", str(root))
        mp.setenv("ACLED_KEY", SECRET)
        specs = load_plan(root / "reports.yml")
        first = run_reports(specs, jobs=2)
        state = {"root": root, "first": first,
                 "snapshot": {s.name: _snapshot(s.output) for s in specs}}
        yield state


@pytest.fixture
def env(project, monkeypatch):
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(project["root"]))
    monkeypatch.setenv("ACLED_KEY", SECRET)
    return project


# --------------------------------------------------------------------------- plan
def test_load_plan_checks_parameters_and_fills_defaults(env):
    specs = load_plan(env["root"] / "reports.yml")
    assert [s.name for s in specs] == ["a-figures", "b-sources"]
    assert specs[0].parameters == {"label": "demo", "scale": 3.0, "fail": False}
    assert specs[1].parameters == {"label": "other", "scale": 2.0, "fail": False}
    assert specs[0].output == env["root"] / "reports" / "a-figures"
    assert load_plan(env["root"] / "reports.yml", names=["b-sources"])[0].name == "b-sources"


@pytest.mark.parametrize(
    "parameters, words",
    [
        ("{lable: demo}", "unknown parameter 'lable' (did you mean 'label'?)"),
        ("{label: nope}", "parameter 'label': 'nope' is not one of demo, other"),
        ("{scale: 11}", "is outside the range 0..10"),
        ("{scale: many}", "parameter 'scale': expected float, found str 'many'"),
    ],
)
def test_load_plan_rejects_bad_parameters(env, tmp_path, parameters, words):
    plan = env["root"] / f"bad-{abs(hash(parameters))}.yml"
    plan.write_text(PLAN.replace("{label: other}", parameters), encoding="utf-8")
    try:
        with pytest.raises(PlanError) as info:
            load_plan(plan)
        assert "report 'b-sources'" in str(info.value)
        assert words in str(info.value)
    finally:
        plan.unlink()


def test_load_plan_unknown_report_and_plan(env):
    with pytest.raises(PlanError, match="unknown report\\(s\\) c-none"):
        load_plan(env["root"] / "reports.yml", names=["c-none"])
    with pytest.raises(PlanError, match="no plan 'full'"):
        load_plan(env["root"] / "reports.yml", plan="full")


# --------------------------------------------------------------------------- first run
def test_first_run_ran_both(env):
    assert [(o.name, o.status) for o in env["first"]] == [("a-figures", "ran"), ("b-sources", "ran")]
    a = env["root"] / "reports" / "a-figures"
    for name in ("a-figures.ipynb", "a-figures.html", "results.json", "figures/line.png",
                 "figures/line.svg"):
        assert (a / name).is_file(), name
    assert sorted(env["first"][0].outputs) == sorted(env["snapshot"]["a-figures"])


def test_results_json_values_and_provenance(env):
    root = env["root"]
    results = json.loads((root / "reports" / "a-figures" / "results.json").read_text())
    assert results["label"] == "demo" and results["scale"] == 3.0
    assert results["figures"] == 8
    assert results["deaths_best"] == 100 + 150 - 10 + 35  # increments of log_ok's tolls
    assert results["acled_key_seen"] is True  # the kernel did see the secret
    assert results["plan"] == "embedded"  # the kernel reads data/processed/embedded
    assert results["hash_seed"] == "0"  # set iteration orders fixed: byte-identical estimates
    # Unix sockets, never TCP ports two kernels starting at once could both be handed
    assert results["kernel_transport"] == ("tcp" if os.name == "nt" else "ipc")
    if sys.platform.startswith("linux"):  # forked by the runner's kernel server, imports done
        assert "-m refugeestudy.pipeline.kernel_server" in results["kernel_parent"]
    assert results["summary"] == "Reads figures."
    prov = results["provenance"]
    assert prov["package_version"] == refugeestudy.__version__
    assert prov["parameters"] == {"label": "demo", "scale": 3.0, "fail": False}
    figures = root / "data" / "raw" / "reports" / "figures.csv"
    assert prov["inputs"] == {"data/raw/reports/figures.csv": _sha(figures)}
    assert prov["notebook"] == "notebooks/demo.ipynb"
    assert prov["notebook_sha256"] == _sha(root / "notebooks" / "demo.ipynb")
    b = json.loads((root / "reports" / "b-sources" / "results.json").read_text())
    assert b["provenance"]["inputs"] == {
        "data/raw/reports/sources.csv": _sha(root / "data" / "raw" / "reports" / "sources.csv")}
    assert b["label"] == "other"


def test_executed_notebook_has_no_machine_paths_or_timestamps(env):
    text = (env["root"] / "reports" / "a-figures" / "a-figures.ipynb").read_text()
    assert str(env["root"]) not in text
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        assert "execution" not in cell.metadata and "papermill" not in cell.metadata
    assert nb.metadata["papermill"] == {"parameters": {"label": "demo", "scale": 3.0, "fail": False}}


# --------------------------------------------------------------------------- caching
def test_second_run_skips_and_changed_input_reruns_only_its_report(env):
    root = env["root"]
    specs = load_plan(root / "reports.yml")
    second = run_reports(specs, jobs=2)
    assert [(o.name, o.status) for o in second] == [("a-figures", "skipped"), ("b-sources", "skipped")]
    assert _snapshot(root / "reports" / "a-figures") == env["snapshot"]["a-figures"]

    sources = root / "data" / "raw" / "reports" / "sources.csv"
    sources.write_text(sources.read_text().replace("Synthetic test page E", "Synthetic page E"))
    third = run_reports(specs, jobs=2)
    assert [(o.name, o.status) for o in third] == [("a-figures", "skipped"), ("b-sources", "ran")]
    prov = json.loads((root / "reports" / "b-sources" / "results.json").read_text())["provenance"]
    assert prov["inputs"]["data/raw/reports/sources.csv"] == _sha(sources)
    assert _snapshot(root / "reports" / "a-figures") == env["snapshot"]["a-figures"]
    env["snapshot"]["b-sources"] = _snapshot(root / "reports" / "b-sources")


# --------------------------------------------------------------------------- byte identity
def test_forced_runs_are_byte_identical(env):
    root = env["root"]
    specs = load_plan(root / "reports.yml", names=["b-sources"])
    runs = []
    for _ in range(2):
        (outcome,) = run_reports(specs, force=True, jobs=1)
        assert outcome.status == "ran", outcome.message
        runs.append(_snapshot(root / "reports" / "b-sources"))
    for name in ("results.json", "figures/line.png", "figures/line.svg"):
        assert runs[0][name] == runs[1][name], name
    assert sorted(runs[0]) == sorted(runs[1])
    assert b"<dc:date>" not in runs[0]["figures/line.svg"]
    env["forced_runs"] = runs


@pytest.mark.parametrize("name", ["b-sources.ipynb", "b-sources.html"])
def test_forced_runs_give_identical_notebook_and_html(env, name):
    runs = env.get("forced_runs")
    if runs is None:
        pytest.skip("needs test_forced_runs_are_byte_identical")
    assert runs[0][name] == runs[1][name]


# --------------------------------------------------------------------------- failure
def test_failing_cell_keeps_previous_report(env):
    root = env["root"]
    before = _snapshot(root / "reports" / "a-figures")
    plan = root / "failing.yml"
    plan.write_text(PLAN.replace("{label: demo, scale: 3}", "{label: demo, scale: 3, fail: true}"))
    try:
        specs = load_plan(plan, names=["a-figures"])
        (outcome,) = run_reports(specs, jobs=1)
    finally:
        plan.unlink()
    assert outcome.status == "failed"
    failed = root / "reports" / "a-figures.failed.ipynb"
    assert failed.is_file()
    nb = nbformat.read(str(failed), as_version=4)
    (cell,) = [c for c in nb.cells if "raise RuntimeError" in c.source]
    assert f"(execution count {cell.execution_count}) raised" in outcome.message
    assert "RuntimeError: deliberate failure for the test" in outcome.message
    assert "a-figures.failed.ipynb" in outcome.message
    assert _snapshot(root / "reports" / "a-figures") == before == env["snapshot"]["a-figures"]
    assert [p.name for p in (root / "reports").iterdir() if p.name.startswith(".staging")] == []
    # the failed run is not cached: the good plan still counts as up to date
    again = run_reports(load_plan(root / "reports.yml", names=["a-figures"]), jobs=1)
    assert again[0].status == "skipped"


def test_failure_message_cell_index_matches_source_notebook(env):
    root = env["root"]
    plan = root / "failing2.yml"
    plan.write_text(PLAN.replace("{label: demo, scale: 3}", "{label: demo, scale: 3, fail: true}"))
    try:
        (outcome,) = run_reports(load_plan(plan, names=["a-figures"]), jobs=1)
    finally:
        plan.unlink()
    source = nbformat.read(str(root / "notebooks" / "demo.ipynb"), as_version=4)
    (index,) = [i for i, c in enumerate(source.cells) if "raise RuntimeError" in c.source]
    assert outcome.message.startswith(f"cell {index} ")


# --------------------------------------------------------------------------- secrets (last: sees every run)
def test_secret_appears_in_no_output_file(env):
    assert os.environ["ACLED_KEY"] == SECRET
    needle = SECRET.encode()
    files = [p for p in env["root"].rglob("*") if p.is_file()]
    outputs = [p for p in files if "reports" in p.relative_to(env["root"]).parts[:1]]
    assert len(outputs) >= 10
    leaking = [str(p) for p in files if needle in p.read_bytes()]
    assert leaking == []


# --------------------------------------------------------------------------- outputs changed behind its back
@pytest.mark.parametrize("change", ["edit", "add", "remove"])
def test_a_report_whose_outputs_changed_runs_again(env, change):
    """Regression (issue 18): a notebook run by hand into reports/<name>/ left the report
    "up to date" with another report's figures in it."""
    root = env["root"]
    specs = load_plan(root / "reports.yml", names="a-figures")  # one name as a string
    assert [o.status for o in run_reports(specs, jobs=1)] == ["skipped"]
    folder = root / "reports" / "a-figures"
    good = _snapshot(folder)
    touched = {"edit": "results.json", "add": "figures/stray.png", "remove": "figures/line.svg"}[change]
    if change == "remove":
        (folder / touched).unlink()
    else:
        (folder / touched).write_bytes(b"written behind the runner's back")
    events = []
    (outcome,) = run_reports(specs, jobs=1, on_event=lambda *e: events.append(e))
    assert outcome.status == "ran", outcome.message
    changed = [e for e in events if e[0] == "changed"]
    assert len(changed) == 1 and changed[0][2].message == (
        f"its outputs changed since the runner wrote them ({touched}); running it again")
    after = _snapshot(folder)
    assert touched not in after or after[touched] == good[touched]
    assert sorted(after) == sorted(good)
    assert [o.status for o in run_reports(specs, jobs=1)] == ["skipped"]


def test_report_files_and_folders_honour_the_umask(env):
    """Regression (issue 18): index.html and every page were 0600 (mkstemp's mode)."""
    root = env["root"]
    old = os.umask(0o022)
    try:
        (outcome,) = run_reports(load_plan(root / "reports.yml", names=["a-figures"]), force=True,
                                 jobs=1)
    finally:
        os.umask(old)
    assert outcome.status == "ran", outcome.message
    folder = root / "reports" / "a-figures"
    modes = {p.relative_to(folder).as_posix(): p.stat().st_mode & 0o777 for p in
             [folder, *folder.rglob("*")]}
    assert len(modes) >= 5 and "results.json" in modes and "." in modes
    assert {name: oct(mode) for name, mode in modes.items()
            if mode != (0o755 if (folder / name).is_dir() else 0o644)} == {}


def test_the_runner_checks_a_plan_without_loading_pandas_or_papermill():
    # `refugeestudy run` checks the plan's parameters (destination codes, governorates) and each
    # plan's build manifest with plain Python, so with nothing to run (the warm `make reports`) it
    # stays a light process; pandas and papermill load only in the workers that run a report.
    project = TESTS.parent
    code = ("import sys\n"
            "from refugeestudy.pipeline import run\n"
            "for plan in ('embedded', 'full'):\n"
            "    for spec in run.load_plan('reports.yml', plan=plan):\n"
            "        try:\n"
            "            run._check_required_sources(spec)\n"
            "        except run.MissingInput:\n"
            "            pass  # a plan not built here: the check ran all the same\n"
            "print([m for m in ('pandas', 'papermill', 'nbformat') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True,
                          check=True, env={**os.environ, "REFUGEESTUDY_ROOT": str(project)})
    assert done.stdout.strip() == "[]"
