"""Gazetteer: Syria's governorates (OCHA p-codes) and destination regions (ISO 3166-2).

Real sources spell Syria's 14 governorates many ways ("Latakia", "Lattakia",
"Al Ladhiqiyah", "Latakia Governorate", "اللاذقية"). :func:`governorate_pcode`
maps any of them to the OCHA p-code (``SY01`` ... ``SY14``); :func:`to_pcodes`
does the same for a whole column and reports every unknown value with its line.

Examples
--------
>>> governorate_pcode("Hamah Governorate")
'SY05'
>>> governorate_pcode("اللاذقية")
'SY06'
>>> GOVERNORATES["SY10"]
'Tartous'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from refugeestudy.errors import InputError, Problem

if TYPE_CHECKING:  # pandas is imported where a Series is built: `refugeestudy run` checks
    import pandas as pd  # parameters against these tables without loading pandas (0.3 s)

__all__ = [
    "GOVERNORATES",
    "DESTINATION_COUNTRIES",
    "DESTINATION_REGIONS",
    "LOCALITIES",
    "Locality",
    "governorate_pcode",
    "to_pcodes",
    "check_destination_region",
    "locality",
    "split_place",
]

#: OCHA common operational dataset p-codes of Syria's governorates (admin 1),
#: with OCHA's English names.
GOVERNORATES: dict[str, str] = {
    "SY01": "Damascus",
    "SY02": "Aleppo",
    "SY03": "Rural Damascus",
    "SY04": "Homs",
    "SY05": "Hama",
    "SY06": "Lattakia",
    "SY07": "Idleb",
    "SY08": "Al-Hasakeh",
    "SY09": "Deir-ez-Zor",
    "SY10": "Tartous",
    "SY11": "Ar-Raqqa",
    "SY12": "Dar'a",
    "SY13": "As-Sweida",
    "SY14": "Quneitra",
}

# Spellings seen in UCDP GED, ACLED, UNHCR, OCHA and news reports, after
# normalisation by _normalise (lower case, no accents, no "governorate", no
# leading article, no spaces or punctuation).
_ALIASES: dict[str, tuple[str, ...]] = {
    "SY01": ("damascus", "dimashq", "dimashk", "damas", "دمشق"),
    "SY02": ("aleppo", "halab", "alep", "حلب"),
    "SY03": (
        "ruraldamascus", "rifdimashq", "rifdimashk", "reefdimashq", "rifdamascus",
        "damascuscountryside", "damascusrural", "ريفدمشق",
    ),
    "SY04": ("homs", "hims", "حمص"),
    "SY05": ("hama", "hamah", "hamat", "حماه"),
    "SY06": (
        "latakia", "lattakia", "latakiya", "lattaquie", "ladhiqiyah", "ladhiqiya",
        "ladhiqiyyah", "lathqiyah", "lattaqia", "latakieh", "لاذقيه",
    ),
    "SY07": ("idleb", "idlib", "idlab", "ادلب"),
    "SY08": ("hasakeh", "hasakah", "hasaka", "hassakeh", "hasake", "hassake", "حسكه"),
    "SY09": (
        "deirezzor", "deirezzour", "deirazzawr", "dayrazzawr", "deirezor", "deirazzor",
        "deirelzor", "deiralzour", "dayrezzor", "دير الزور",
    ),
    "SY10": ("tartous", "tartus", "tartoos", "tortosa", "طرطوس"),
    "SY11": ("raqqa", "raqqah", "rakka", "raqa", "رقه"),
    "SY12": ("daraa", "dara", "deraa", "darah", "درعا"),
    "SY13": ("sweida", "suwayda", "suwaida", "sweyda", "suweida", "swaida", "سويداء"),
    "SY14": ("quneitra", "qunaytirah", "kuneitra", "qunaitra", "qunaytira", "قنيطره"),
}

#: ISO 3166-2 regions that appear as destinations, with their English names.
DESTINATION_REGIONS: dict[str, str] = {
    "RU-PER": "Perm Krai",
    "RU-MOW": "Moscow",
    "RU-SPE": "Saint Petersburg",
    "RU-MOS": "Moscow Oblast",
    "RU-KDA": "Krasnodar Krai",
    "RU-VLA": "Vladimir Oblast",
    "RU-SVE": "Sverdlovsk Oblast",
    "LB-AK": "Akkar",
    "LB-AS": "North (Ash Shimal)",
    # Not an ISO 3166-2 code: a figure for the Akkar and North governorates together
    # ("northern Lebanon"), as UNHCR gives it.
    "LB-AK+LB-AS": "Akkar and North",
    "LB-BH": "Baalbek-Hermel",
    "LB-BA": "Beirut",
    "LB-BI": "Beqaa",
    "LB-JL": "Mount Lebanon",
    "SY-LA": "Latakia",
    "SY-TA": "Tartus",
    "SY-HM": "Hama",
    "SY-HI": "Homs",
    "SY-ID": "Idlib",
    "SY-DI": "Damascus",
    "SY-SU": "As-Suwayda",
    "SY-DR": "Dar'a",
    "SY-RD": "Rif Dimashq",
    "TR-31": "Hatay",
    "IQ-AN": "Anbar",
    "IQ-AR": "Erbil",
}

_ISO2_TO_ISO3 = {"RU": "RUS", "LB": "LBN", "SY": "SYR", "TR": "TUR", "IQ": "IRQ"}

#: Destination countries of the curated log (ISO 3166-1 alpha-3), with their English names:
#: the countries of :data:`DESTINATION_REGIONS`.
DESTINATION_COUNTRIES: dict[str, str] = {
    "RUS": "Russia", "LBN": "Lebanon", "SYR": "Syria", "TUR": "Türkiye", "IRQ": "Iraq",
}

_LEADING_ARTICLES = ("al", "ar", "as", "ad", "an", "at", "ash", "az", "el", "ed", "es", "er", "a")
_DROP_WORDS = {"governorate", "governate", "province", "muhafazah", "muhafazat", "gov", "محافظه"}


def _normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    # Arabic: unify alef forms and taa marbuta, drop the definite article.
    text = re.sub("[إأآ]", "ا", text).replace("ة", "ه").replace("ى", "ي")
    text = re.sub(r"[\-‐–—'’‘`ʿʾ_.,()]", " ", text)
    words = [w for w in text.split() if w not in _DROP_WORDS]
    if len(words) > 1 and words[0] in _LEADING_ARTICLES:
        words = words[1:]
    words = [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words]
    return "".join(words)


_LOOKUP: dict[str, str] = {}
for _pcode, _names in _ALIASES.items():
    for _alias in _names:
        _LOOKUP[_normalise(_alias)] = _pcode
    _LOOKUP[_normalise(GOVERNORATES[_pcode])] = _pcode
    _LOOKUP[_pcode.lower()] = _pcode


def governorate_pcode(name: str) -> str | None:
    """Return the OCHA p-code of a Syrian governorate name, or ``None`` if unknown.

    Parameters
    ----------
    name : str
        A governorate name in any common English, French or Arabic spelling,
        with or without "Governorate", or a p-code itself.

    Returns
    -------
    str or None
        ``"SY01"`` ... ``"SY14"``, or ``None`` when the name is not recognised.

    Examples
    --------
    >>> governorate_pcode("Deir ez Zor Governorate")
    'SY09'
    >>> governorate_pcode("Rif Dimashq Governorate")
    'SY03'
    >>> governorate_pcode("Atlantis") is None
    True
    """
    return _LOOKUP.get(_normalise(name))


def to_pcodes(
    names: pd.Series,
    *,
    path: str | Path,
    column: str,
    lines: Iterable[int] | None = None,
) -> pd.Series:
    """Map a column of governorate names to p-codes; missing stays missing.

    Every distinct value is looked up once, so a column of 400,000 rows costs
    as much as its distinct values.

    Parameters
    ----------
    names : pandas.Series
        Governorate names; missing or blank values give a missing p-code.
    path : str or Path
        File the names were read from, for error messages.
    column : str
        Column the names were read from, for error messages.
    lines : iterable of int, optional
        File line of each element (header = line 1). Defaults to
        ``index + 2`` (a CSV with one header line and no embedded newlines).

    Returns
    -------
    pandas.Series
        p-codes as a string series aligned with ``names``.

    Raises
    ------
    InputError
        If any non-blank value is not a known governorate; lists each unknown
        value with the first lines where it occurs.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["Latakia", "Tartus Governorate", None])
    >>> to_pcodes(s, path="x.csv", column="admin1").tolist()
    ['SY06', 'SY10', nan]
    """
    as_text = names.astype("string").str.strip()
    as_text = as_text.mask(as_text == "")
    distinct = as_text.dropna().unique()
    mapping = {value: governorate_pcode(value) for value in distinct}
    unknown = sorted(value for value, code in mapping.items() if code is None)
    if unknown:
        import pandas as pd

        line_numbers = pd.Series(
            list(lines) if lines is not None else (names.index + 2), index=names.index
        )
        raise InputError(
            path,
            _unknown_governorates(unknown, as_text, line_numbers, column),
            hint="use one of Syria's 14 governorates (e.g. 'Latakia', 'Tartus', 'Hama', "
            "'Homs'); add a new spelling to refugeestudy.clean.places._ALIASES",
        )
    return as_text.map(mapping).astype(object).where(as_text.notna(), float("nan"))


def _unknown_governorates(
    unknown: list[str], as_text: pd.Series, line_numbers: pd.Series, column: str
) -> list[Problem]:
    """One problem per unknown governorate name, on the first line it occurs.

    ``as_text`` holds the stripped names and ``line_numbers`` the file line of
    each (same index); the message lists up to two further lines holding the
    same name.
    """
    problems = []
    for value in unknown:
        where = line_numbers[as_text == value].head(3).tolist()
        problems.append(
            Problem(
                int(where[0]),
                column,
                f"unknown Syrian governorate {value!r} (also on lines {where[1:]})"
                if len(where) > 1
                else f"unknown Syrian governorate {value!r}",
            )
        )
    return problems


def check_destination_region(code: str, country_iso3: str) -> str | None:
    """Return a message if ``code`` is not a known ISO 3166-2 region of ``country_iso3``.

    Parameters
    ----------
    code : str
        ISO 3166-2 region code such as ``"RU-PER"``.
    country_iso3 : str
        ISO 3166-1 alpha-3 code of the destination country.

    Returns
    -------
    str or None
        ``None`` when the code is valid, otherwise what is wrong.

    Examples
    --------
    >>> check_destination_region("RU-PER", "RUS") is None
    True
    >>> check_destination_region("RU-PER", "LBN")
    "region 'RU-PER' is in RUS, but the row's destination country is 'LBN'"
    """
    if code not in DESTINATION_REGIONS:
        return (
            f"unknown ISO 3166-2 region {code!r}"
            " (a new region must be added to refugeestudy.clean.places.DESTINATION_REGIONS)"
        )
    region_country = _ISO2_TO_ISO3[code.split("-")[0]]
    if region_country != country_iso3:
        return (
            f"region {code!r} is in {region_country}, but the row's destination country "
            f"is {country_iso3!r}"
        )
    return None


@dataclass(frozen=True)
class Locality:
    """A named destination place (a town, a base, a district or a named area).

    Attributes
    ----------
    name : str
        The canonical spelling used in every table.
    country_iso3 : str
        ISO 3166-1 alpha-3 code of the country the place is in.
    region : str or None
        ISO 3166-2 region the place lies in, if it lies in one region.
    aliases : tuple of str
        Other spellings seen in the sources (any case, with or without accents).
    """

    name: str
    country_iso3: str
    region: str | None
    aliases: tuple[str, ...] = ()


#: Destination places of the curated log, one entry per place whatever its spelling.
#: A log row's ``destination_place`` is one of these names or aliases, optionally followed
#: by a detail in parentheses ("Akkar (27 localities)").
LOCALITIES: tuple[Locality, ...] = (
    # Lebanon
    Locality("Lebanon", "LBN", None),
    Locality("northern Lebanon", "LBN", None,
             ("north Lebanon", "North and Akkar governorates", "Akkar and North governorates")),
    Locality("North governorate", "LBN", "LB-AS", ("Ash Shimal",)),
    Locality("Akkar", "LBN", "LB-AK", ("Akkar governorate", "Akkar district", "عكار")),
    Locality("Tal al-Bireh", "LBN", "LB-AK", ("Talbireh", "Tal Bireh", "Tall Bireh", "Talbira",
                                              "Tel Bireh", "تلبيرة")),
    Locality("Massoudiyeh", "LBN", "LB-AK", ("Massaoudieh", "Masoudiyeh", "Al-Masoudiyeh",
                                             "Mass'oudiyé", "Massoudieh", "المسعودية")),
    # Syria
    Locality("Hmeimim air base", "SYR", "SY-LA", ("Hmeimim", "Khmeimim", "Khmeimim air base",
                                                  "Humaymim", "Hmeimim airbase", "حميميم")),
    Locality("Banyas", "SYR", "SY-TA", ("Baniyas", "Banias", "بانياس")),
    Locality("Tartus", "SYR", "SY-TA", ("Tartous", "Tortosa", "Tartus city", "طرطوس")),
    # Russia
    Locality("Perm krai", "RUS", "RU-PER", ("Perm region", "Perm Krai", "Prikamye", "Perm")),
    Locality("Vyaznikovsky district", "RUS", "RU-VLA", ("Vyazniki", "Vyaznikovsky raion")),
    Locality("Sverdlovsk oblast", "RUS", "RU-SVE", ("Sverdlovsk region",)),
)

_LOCALITY_LOOKUP: dict[str, Locality] = {}
for _place in LOCALITIES:
    for _spelling in (_place.name, *_place.aliases):
        _LOCALITY_LOOKUP[_normalise(_spelling)] = _place


def split_place(text: str) -> tuple[str, str | None]:
    """Split ``"Akkar (27 localities)"`` into the place name and its detail.

    Examples
    --------
    >>> split_place("Akkar (27 localities)")
    ('Akkar', '27 localities')
    >>> split_place("Talbireh")
    ('Talbireh', None)
    """
    match = re.fullmatch(r"\s*(.*?)\s*\((.*)\)\s*", text)
    if match:
        return match.group(1), match.group(2).strip() or None
    return text.strip(), None


def locality(name: str) -> Locality | None:
    """Return the gazetteer entry of a destination place, whatever its spelling.

    Parameters
    ----------
    name : str
        A place name as a source spells it, without the detail in parentheses.

    Returns
    -------
    Locality or None
        ``None`` when no entry has that spelling.

    Examples
    --------
    >>> locality("Talbireh").name, locality("Tal al-Bireh").name
    ('Tal al-Bireh', 'Tal al-Bireh')
    >>> locality("Massaoudieh").name
    'Massoudiyeh'
    >>> locality("Baniyas").region
    'SY-TA'
    >>> locality("Atlantis") is None
    True
    """
    return _LOCALITY_LOOKUP.get(_normalise(name))
