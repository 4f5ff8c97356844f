"""Notebook parameters are checked before a kernel starts."""

from __future__ import annotations

import nbformat
import pytest

from refugeestudy.pipeline.params import (
    ParameterError,
    ParameterSpec,
    check_parameters,
    declared_parameters,
    parse_parameter_cell,
)

CELL = """\
source = "reports"        # one of: reports, ucdp_ged, acled
max_lag = 3               # range: 0..12
alpha = 0.05              # range: 0..1
lags = [0, 1]             # list of int, range: 0..6
start = "2025-01-01"      # date: first day
admin1 = ["SY06", "SY10"] # list of str
robust = True
note = None               # optional

"""


@pytest.fixture
def specs():
    return parse_parameter_cell(CELL)


def test_parse_cell_reads_names_defaults_constraints(specs):
    assert list(specs) == ["source", "max_lag", "alpha", "lags", "start", "admin1", "robust", "note"]
    assert specs["max_lag"] == ParameterSpec("max_lag", 3, "range: 0..12")
    assert specs["lags"].default == [0, 1]
    assert specs["robust"].default is True and specs["robust"].constraint == ""
    assert specs["note"].default is None


def test_defaults_returned_when_nothing_given(specs):
    assert check_parameters(specs, {}) == {
        "source": "reports", "max_lag": 3, "alpha": 0.05, "lags": [0, 1], "start": "2025-01-01",
        "admin1": ["SY06", "SY10"], "robust": True, "note": None}


def test_valid_values_accepted(specs):
    values = check_parameters(specs, {"source": "acled", "max_lag": 12, "lags": [0, 6],
                                      "start": "2024-12-08", "robust": False})
    assert values["source"] == "acled" and values["max_lag"] == 12 and values["lags"] == [0, 6]
    assert values["start"] == "2024-12-08" and values["robust"] is False


def test_int_accepted_for_float(specs):
    values = check_parameters(specs, {"alpha": 1})
    assert values["alpha"] == 1.0 and type(values["alpha"]) is float


def test_unknown_name_with_did_you_mean(specs):
    with pytest.raises(ParameterError) as info:
        check_parameters(specs, {"max_lags": 4})
    assert str(info.value).startswith("unknown parameter 'max_lags' (did you mean 'max_lag'?)")
    assert "declared: source, max_lag, alpha" in str(info.value)
    with pytest.raises(ParameterError, match=r"^unknown parameter 'zzz'; declared"):
        check_parameters(specs, {"zzz": 1})


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("max_lag", "3", "parameter 'max_lag': expected int, found str '3'"),
        ("max_lag", 3.5, "expected int, found float 3.5"),
        ("max_lag", True, "expected int, found bool True"),
        ("robust", 1, "expected bool, found int 1"),
        ("source", 5, "expected str, found int 5"),
        ("lags", 1, "expected list, found int 1"),
        ("alpha", "0.1", "expected float, found str"),
    ],
)
def test_wrong_type(specs, name, value, words):
    with pytest.raises(ParameterError) as info:
        check_parameters(specs, {name: value})
    assert words in str(info.value)


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("max_lag", 13, "parameter 'max_lag': 13 is outside the range 0..12"),
        ("max_lag", -1, "-1 is outside the range 0..12"),
        ("alpha", 1.5, "1.5 is outside the range 0..1"),
        ("lags", [0, 7], "parameter 'lags': 7 is outside the range 0..6"),
    ],
)
def test_out_of_range(specs, name, value, words):
    with pytest.raises(ParameterError) as info:
        check_parameters(specs, {name: value})
    assert words in str(info.value)


def test_not_one_of(specs):
    with pytest.raises(ParameterError) as info:
        check_parameters(specs, {"source": "gdelt"})
    assert str(info.value) == "parameter 'source': 'gdelt' is not one of reports, ucdp_ged, acled"


@pytest.mark.parametrize("value", ["2025-02-30", "07/03/2025", "2025-3-6", "yesterday"])
def test_bad_date(specs, value):
    with pytest.raises(ParameterError) as info:
        check_parameters(specs, {"start": value})
    assert str(info.value) == f"parameter 'start': expected a date as YYYY-MM-DD, found {value!r}"


@pytest.mark.parametrize("name", ["acled_key", "ACLED_KEY", "api_token", "db_password", "secret",
                                  "acled_email"])
def test_secret_looking_names_rejected(name):
    with pytest.raises(ParameterError) as info:
        parse_parameter_cell(f'{name} = ""')
    assert f"parameter {name!r} looks like a secret" in str(info.value)
    assert "environment" in str(info.value)


@pytest.mark.parametrize("line", ["x = foo()", "x, y = 1, 2", "import os", "x = [1, y]", "x += 1"])
def test_non_literal_lines_rejected(line):
    with pytest.raises(ParameterError, match=r"parameters cell, line 2: expected `name = literal`"):
        parse_parameter_cell(f"a = 1\n{line}")


def test_optional_accepts_none():
    spec = ParameterSpec("end", "2025-05-01", "date, optional")
    assert spec.check(None) is None
    with pytest.raises(ParameterError):
        ParameterSpec("end", "2025-05-01", "date").check(None)


def _notebook(path, *cells):
    nb = nbformat.v4.new_notebook()
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nbformat.write(nb, str(path))
    return path


def test_declared_parameters_from_notebook(tmp_path):
    path = _notebook(tmp_path / "a.ipynb", ("import os", None),
                     ('lag = 2  # range: 0..4', ["parameters"]), ("print(lag)", None))
    assert declared_parameters(path) == {"lag": ParameterSpec("lag", 2, "range: 0..4")}


@pytest.mark.parametrize("count", [0, 2])
def test_declared_parameters_needs_exactly_one_cell(tmp_path, count):
    cells = [("x = 1", ["parameters"])] * count + [("print(1)", None)]
    path = _notebook(tmp_path / "b.ipynb", *cells)
    with pytest.raises(ParameterError, match=f"expected one cell tagged 'parameters', found {count}"):
        declared_parameters(path)


# --------------------------------------------------------------------------- regressions
def test_date_check_only_for_date_constraint():
    spec = ParameterSpec("mode", "update", "one of: update, replace")
    assert spec.check("replace") == "replace"


def test_list_element_type_checked():
    spec = ParameterSpec("lags", [0, 1], "list of int, range: 0..6")
    with pytest.raises(ParameterError):
        spec.check(["a"])
