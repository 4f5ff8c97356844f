"""Every reader (UCDP GED, ACLED, UNHCR) on a small real or synthetic file with one fault.

Each case (``readers_cases.CASES``) asserts the words of the error, that the
message names the file, and that the file is left byte-identical; the inputs
rightly accepted (a byte-order mark, CRLF line ends, an empty count cell,
the API's hyphenated dataset names) assert what was read.
"""

from __future__ import annotations

import pytest

from refugeestudy.errors import InputError
from .readers_cases import CASES, SHARED, Case, call, materialise

_ACCEPTED_ROWS = {"ged-bom": 3, "ged-crlf": 3, "acled-bom": 3, "unhcr-empty-counts": 12,
                  "unhcr-bom": 12, "unhcr-hyphenated-dataset": 3}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reader_fault(case: Case, tmp_path, unchanged):
    if str(case.base).startswith(str(SHARED)) and not case.base.is_file():
        pytest.skip("../shared/data not available")
    path = materialise(case, tmp_path)
    with unchanged(tmp_path):
        if case.expected is None:
            frame = call(case, path)
            assert len(frame) == _ACCEPTED_ROWS[case.id]
            return
        with pytest.raises((InputError, ValueError)) as info:
            call(case, path)
    message = str(info.value)
    assert case.expected in message, message
    if isinstance(info.value, InputError):
        assert str(path) in message.splitlines()[0]  # the file is named


def test_unhcr_infinite_count_never_reaches_a_table(tmp_path):
    """Regression: 'inf' crashed the integer cast (OverflowError), '1e30' a TypeError."""
    (case,) = [c for c in CASES if c.id == "unhcr-refugees-inf"]
    if not case.base.is_file():
        pytest.skip("../shared/data not available")
    with pytest.raises(InputError) as info:
        call(case, materialise(case, tmp_path))
    assert f"{tmp_path / 'unhcr-refugees-inf.csv'}:2: column 'refugees'" in str(info.value)
