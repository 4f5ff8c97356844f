"""Gazetteer: every spelling real sources use maps to the right OCHA p-code."""

from __future__ import annotations

import pandas as pd
import pytest

from refugeestudy.clean.places import (
    DESTINATION_REGIONS,
    GOVERNORATES,
    check_destination_region,
    governorate_pcode,
    to_pcodes,
)
from refugeestudy.clean.places import LOCALITIES, locality, split_place
from refugeestudy.errors import InputError

# OCHA COD-AB admin-1 p-codes and English names (written out here, not imported).
OCHA = {
    "SY01": "Damascus", "SY02": "Aleppo", "SY03": "Rural Damascus", "SY04": "Homs",
    "SY05": "Hama", "SY06": "Lattakia", "SY07": "Idleb", "SY08": "Al-Hasakeh",
    "SY09": "Deir-ez-Zor", "SY10": "Tartous", "SY11": "Ar-Raqqa", "SY12": "Dar'a",
    "SY13": "As-Sweida", "SY14": "Quneitra",
}

# adm_1 as spelt in UCDP GED.
GED = {
    "Aleppo Governorate": "SY02", "Rif Dimashq Governorate": "SY03",
    "Deir ez Zor Governorate": "SY09", "Ar Raqqah Governorate": "SY11",
    "Hamah Governorate": "SY05", "Al Hasakah Governorate": "SY08",
    "As Suwayda Governorate": "SY13", "Quneitra Governorate": "SY14",
    "Daraa Governorate": "SY12", "Latakia Governorate": "SY06",
    "Tartus Governorate": "SY10", "Homs Governorate": "SY04",
    "Idlib Governorate": "SY07", "Damascus Governorate": "SY01",
}

ARABIC = {
    "اللاذقية": "SY06", "طرطوس": "SY10", "حماة": "SY05", "حمص": "SY04",
    "دير الزور": "SY09", "ريف دمشق": "SY03", "دمشق": "SY01", "حلب": "SY02",
    "إدلب": "SY07", "الحسكة": "SY08", "الرقة": "SY11", "درعا": "SY12",
    "السويداء": "SY13", "القنيطرة": "SY14", "محافظة اللاذقية": "SY06",
}

OTHER_SPELLINGS = {
    "Latakia": "SY06", "Lattakia": "SY06", "Al Ladhiqiyah": "SY06", "Al-Lādhiqīyah": "SY06",
    "Lattaquié": "SY06", "LATAKIA": "SY06", "  latakia  ": "SY06", "Tartous": "SY10",
    "Tartus": "SY10", "Hama": "SY05", "Ḥamāh": "SY05", "Dayr az Zawr": "SY09",
    "Deir-ez-Zor": "SY09", "Rural Damascus": "SY03", "Damascus Countryside": "SY03",
    "Rif Dimashq": "SY03", "Dimashq": "SY01", "Idleb": "SY07", "Raqqa": "SY11",
    "Hasakeh": "SY08", "Sweida": "SY13", "Suwayda": "SY13", "Deraa": "SY12",
    "SY06": "SY06", "sy10": "SY10",
}


def test_governorate_table_is_ochas():
    assert GOVERNORATES == OCHA


@pytest.mark.parametrize("name, pcode", sorted(GED.items()))
def test_ged_spellings(name, pcode):
    assert governorate_pcode(name) == pcode


def test_ged_spellings_cover_all_fourteen():
    assert sorted(GED.values()) == sorted(OCHA)


@pytest.mark.parametrize("pcode, name", sorted(OCHA.items()))
def test_ocha_spellings(pcode, name):
    assert governorate_pcode(name) == pcode
    assert governorate_pcode(f"{name} Governorate") == pcode


@pytest.mark.parametrize("name, pcode", sorted(ARABIC.items()))
def test_arabic_spellings(name, pcode):
    assert governorate_pcode(name) == pcode


@pytest.mark.parametrize("name, pcode", sorted(OTHER_SPELLINGS.items()))
def test_other_spellings(name, pcode):
    assert governorate_pcode(name) == pcode


@pytest.mark.parametrize("name", ["Atlantis", "", "Beirut", "Perm", "Syria", "Akkar", "Rif"])
def test_unknown_names_are_none(name):
    assert governorate_pcode(name) is None


def test_to_pcodes_maps_a_column_and_keeps_missing():
    names = pd.Series(["Latakia", "Tartus Governorate", None, "  ", "حمص", "Hamah Governorate"])
    out = to_pcodes(names, path="x.csv", column="admin1")
    assert out.iloc[[0, 1, 4, 5]].tolist() == ["SY06", "SY10", "SY04", "SY05"]
    assert out.iloc[[2, 3]].isna().all()
    assert out.index.equals(names.index)


def test_to_pcodes_unknown_names_value_line_and_column():
    names = pd.Series(["Latakia", "Atlantis", "Tartus", "Atlantis", "Mordor"])
    with pytest.raises(InputError) as info:
        to_pcodes(names, path="data/ged.csv", column="adm_1")
    err = info.value
    assert str(err.path) == "data/ged.csv"
    # one problem per distinct unknown value, at its first line (index + 2)
    assert [(p.line, p.column) for p in err.problems] == [(3, "adm_1"), (6, "adm_1")]
    assert "'Atlantis'" in err.problems[0].message and "[5]" in err.problems[0].message
    assert "'Mordor'" in err.problems[1].message
    text = str(err)
    assert "data/ged.csv:3: column 'adm_1': unknown Syrian governorate 'Atlantis'" in text


def test_to_pcodes_uses_given_lines():
    names = pd.Series(["Latakia", "Narnia"], index=[10, 11])
    with pytest.raises(InputError) as info:
        to_pcodes(names, path="f.csv", column="gov", lines=[40, 57])
    assert info.value.problems[0].line == 57
    assert "'Narnia'" in info.value.problems[0].message


def test_destination_regions():
    assert check_destination_region("RU-PER", "RUS") is None
    assert check_destination_region("LB-AK", "LBN") is None
    assert check_destination_region("SY-LA", "SYR") is None
    assert check_destination_region("RU-PER", "LBN") == \
        "region 'RU-PER' is in RUS, but the row's destination country is 'LBN'"
    message = check_destination_region("RU-XXX", "RUS")
    assert message is not None and "unknown ISO 3166-2 region 'RU-XXX'" in message
    # every region used in the README is known
    for code in ("RU-PER", "RU-VLA", "RU-SVE", "SY-LA", "LB-AK", "LB-AS"):
        assert code in DESTINATION_REGIONS


# --------------------------------------------------------------------------- destination places

SPELLINGS = {  # as the sources print them (written out here) -> one gazetteer name
    "Talbireh": "Tal al-Bireh", "Tal al-Bireh": "Tal al-Bireh", "Talbira": "Tal al-Bireh",
    "تلبيرة": "Tal al-Bireh", "Massoudiyeh": "Massoudiyeh", "Massaoudieh": "Massoudiyeh",
    "Al-Masoudiyeh": "Massoudiyeh", "Mass’oudiyé": "Massoudiyeh", "Banyas": "Banyas",
    "Baniyas": "Banyas", "Tartus": "Tartus", "Tartous": "Tartus", "Perm region": "Perm krai",
    "Perm": "Perm krai", "Khmeimim": "Hmeimim air base", "Sverdlovsk region": "Sverdlovsk oblast",
    "North and Akkar governorates": "northern Lebanon", "Vyazniki": "Vyaznikovsky district",
}


@pytest.mark.parametrize("spelling, name", sorted(SPELLINGS.items()))
def test_destination_spellings_are_one_place(spelling, name):
    assert locality(spelling).name == name


@pytest.mark.parametrize("name", ["Atlantis", "Talbirehh", "Massou", ""])
def test_unknown_place_is_none(name):
    assert locality(name) is None


def test_every_spelling_names_exactly_one_place():
    for place in LOCALITIES:
        for spelling in (place.name, *place.aliases):
            assert locality(spelling) is place, spelling


def test_places_lie_in_known_regions_of_their_country():
    for place in LOCALITIES:
        if place.region:
            assert check_destination_region(place.region, place.country_iso3) is None, place


def test_split_place_keeps_the_detail():
    assert split_place("Akkar (19 towns in plain and Dreib)") == ("Akkar", "19 towns in plain and Dreib")
    assert split_place("  Perm krai  ") == ("Perm krai", None)
    assert split_place("Perm krai (Perm-2 railway station / temporary accommodation point)") == \
        ("Perm krai", "Perm-2 railway station / temporary accommodation point")
