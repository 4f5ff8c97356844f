"""Gleditsch–Ward country codes (UCDP's ``country_id``) to ISO 3166-1 alpha-3.

UCDP numbers countries with the Gleditsch & Ward (1999) state list; UNHCR and
Eurostat use ISO3 letters. The crosswalk is a small CSV shipped in the package
(``refugeestudy/clean/gw_iso3.csv``; its header states the sources): one row per
code of UCDP's Country-Year Dataset on Organized Violence 25.1 (199 countries)
plus 255 (Germany after 1990 in Gleditsch & Ward's own list).

Rules worth knowing before joining on the letters:

* one GW code can span a change of state and keeps one ISO3: 345
  Yugoslavia → Serbia and Montenegro → Serbia is ``SRB``; 365 Soviet Union →
  Russia is ``RUS``; 260 (West) Germany, which UCDP keeps after 1990, is
  ``DEU``; 678 North Yemen → Yemen is ``YEM``;
* states that ended keep their ISO 3166-3 withdrawn code (265 ``DDR``,
  315 ``CSK``, 680 South Yemen ``YMD``), which no UNHCR row uses;
* 347 Kosovo is ``XKX`` (user-assigned): UNHCR's ``SRB`` covers Serbia *and*
  Kosovo, so Kosovo's deaths do not join UNHCR's Serbia rows.

A code that is not in the table is an error naming it: nothing is guessed.

Examples
--------
>>> to_iso3([652, 365, 345, 626])
['SYR', 'RUS', 'SRB', 'SSD']
>>> to_iso3([999])
Traceback (most recent call last):
...
refugeestudy.clean.gleditsch_ward.UnknownCountryCode: Gleditsch-Ward code 999 is not in the crosswalk refugeestudy/clean/gw_iso3.csv
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources

import pandas as pd

from refugeestudy.errors import RefugeestudyError

__all__ = ["UnknownCountryCode", "crosswalk", "to_iso3"]

_FILE = "gw_iso3.csv"


class UnknownCountryCode(RefugeestudyError, KeyError):
    """A Gleditsch–Ward code that the crosswalk does not list."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0] if self.args else ""


@functools.cache
def crosswalk() -> pd.DataFrame:
    """The crosswalk: ``gw_code`` (int), ``gw_name``, ``iso3``, ``note``.

    Examples
    --------
    >>> table = crosswalk()
    >>> table.loc[table["gw_code"] == 490, "iso3"].item()
    'COD'
    """
    with resources.files("refugeestudy.clean").joinpath(_FILE).open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle, comment="#", dtype={"gw_code": "int64"}, keep_default_na=False)
    if table["gw_code"].duplicated().any():  # a packaging error, not user input
        raise RefugeestudyError(f"{_FILE}: duplicated gw_code "
                                f"{table.loc[table['gw_code'].duplicated(), 'gw_code'].tolist()}")
    return table


def to_iso3(codes: Iterable[int]) -> list[str]:
    """ISO3 letters of Gleditsch–Ward ``codes``, in order.

    Raises
    ------
    UnknownCountryCode
        Naming the first code that is not in the crosswalk (and how many are not).
    """
    mapping = dict(zip(crosswalk()["gw_code"], crosswalk()["iso3"]))
    codes = [int(code) for code in codes]
    unknown = sorted({code for code in codes if code not in mapping})
    if unknown:
        more = f" (and {len(unknown) - 1} more: {unknown[1:6]})" if len(unknown) > 1 else ""
        raise UnknownCountryCode(f"Gleditsch-Ward code {unknown[0]} is not in the crosswalk "
                                 f"refugeestudy/clean/{_FILE}{more}",
                                 hint="add the country to the crosswalk with its ISO3 and source")
    return [mapping[code] for code in codes]
