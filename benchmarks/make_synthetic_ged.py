"""Write a SYNTHETIC UCDP GED file in the 49-column global layout, for benchmarks.

The file is made up: every event, place, actor and article in it is invented
from small pools of names. It only *looks* like GED global 25.1 so that readers
are timed on a file of realistic width, types and awkwardness:

* the 49 columns in the order of the GED global CSV (``id, relid, year, ...,
  best, high, low, gwnoa, gwnob``; checked against public readers of GED 24.1 /
  25.1 and equal to :data:`refugeestudy.sources.ucdp.GED_COLUMNS`);
* dates as the global CSV writes them (``2016-05-23 00:00:00.000``);
* ``source_article`` fields holding quoted commas, doubled quotes and, on about
  6 % of rows, embedded newlines; Arabic, Cyrillic and accented text;
* Syrian ``adm_1`` spelt as UCDP spells it ("Hamah Governorate", "Deir ez Zor
  Governorate", ...), weighted like the real GED 19.1 Syria extract, about 2 %
  left empty (country-level events);
* other countries' rows with their own ``adm_1`` ("Donetsk oblast", "Michoacán
  state", ...). ``read_ged`` maps ``adm_1`` through the Syrian gazetteer only on
  rows whose ``country_id``/``country`` is Syria; other rows keep a missing
  p-code, so they are valid input (one country, Haiti, is not in the reader's
  ISO3 table and stays without ``country_iso3``, which the reader also allows);
* death counts heavy-tailed, ``best = deaths_a + deaths_b + deaths_civilians +
  deaths_unknown``, and about 0.6 % of events whose ``low``/``high`` do not
  bracket ``best`` (as in real GED; the reader widens them and counts it).

Same ``--seed`` and ``--rows`` give byte-identical output (the SHA-256 is
printed and stored beside the file in ``<file>.json``).

Usage::

    python benchmarks/make_synthetic_ged.py              # 400,000 events
    python benchmarks/make_synthetic_ged.py --rows 20000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUTPUT = Path(__file__).resolve().parent / "output"
GENERATOR_VERSION = 1

#: GED global 25.1 column order (49 columns).
COLUMNS: tuple[str, ...] = tuple((
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
    "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
    "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
    "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob"
).split(","))

# Syrian governorates as UCDP GED spells them, weighted as in the GED 19.1 Syria extract.
SYRIA_ADM1 = {
    "Aleppo Governorate": 3308, "Rif Dimashq Governorate": 2118, "Deir ez Zor Governorate": 2115,
    "Idlib Governorate": 1863, "Ar Raqqah Governorate": 1424, "Hamah Governorate": 1386,
    "Homs Governorate": 1298, "Daraa Governorate": 1091, "Damascus Governorate": 472,
    "Al Hasakah Governorate": 465, "Latakia Governorate": 420, "Quneitra Governorate": 156,
    "As Suwayda Governorate": 105, "Tartus Governorate": 6 * 20,  # more than 2016-19: the coast in 2025
    "": 339,
}

# country: (gw number, region, share of events, adm_1 names, lat, lon, local-language headline)
COUNTRIES = {
    "Syria": (652, "Middle East", 0.35, None, 35.0, 38.0, None),
    "Afghanistan": (700, "Asia", 0.10, ["Kabul province", "Helmand province", "Kandahar province",
                    "Nangarhar province", "Ghazni province", "Kunduz province"], 34.0, 66.0, None),
    "Iraq": (645, "Middle East", 0.07, ["Ninawa governorate", "Al Anbar governorate",
             "Baghdad governorate", "Salah ad Din governorate", "Diyala governorate"], 33.5, 43.5,
             "انفجار في الأنبار يودي بحياة عدة أشخاص"),
    "Ukraine": (369, "Europe", 0.08, ["Donetsk oblast", "Luhansk oblast", "Kharkiv oblast",
                "Zaporizhzhia oblast", "Kherson oblast"], 48.5, 36.5, "Обстріл Харкова: є загиблі"),
    "Somalia": (520, "Africa", 0.05, ["Banaadir region", "Lower Shabelle region",
                "Middle Shabelle region", "Bay region"], 3.0, 45.0, None),
    "Nigeria": (475, "Africa", 0.05, ["Borno state", "Zamfara state", "Kaduna state"], 11.0, 10.0, None),
    "DR Congo (Zaire)": (490, "Africa", 0.05, ["Nord-Kivu province", "Ituri province",
                         "Sud-Kivu province"], -1.0, 29.0, "Attaque près de Béni, Nord-Kivu : des civils tués"),
    "Mexico": (70, "Americas", 0.05, ["Guanajuato state", "Michoacán state", "Sinaloa state",
               "Guerrero state"], 20.0, -102.0, "Enfrentamiento en Culiacán deja varios muertos"),
    "Colombia": (100, "Americas", 0.03, ["Cauca department", "Antioquia department",
                 "Nariño department"], 3.0, -75.0, "Ataque armado en el Cauca"),
    "Myanmar (Burma)": (775, "Asia", 0.05, ["Sagaing region", "Rakhine state", "Shan state"],
                        21.0, 95.5, None),
    "Yemen (North Yemen)": (678, "Middle East", 0.04, ["Taizz governorate",
                            "Al Hudaydah governorate", "Marib governorate"], 15.0, 44.5,
                            "غارات جوية على الحديدة"),
    "Sudan": (625, "Africa", 0.03, ["Khartoum state", "North Darfur state"], 14.0, 28.0,
              "اشتباكات في الخرطوم"),
    "Lebanon": (660, "Middle East", 0.01, ["South Lebanon governorate", "Nabatieh governorate",
                "Baalbek-Hermel governorate"], 33.6, 35.6, "غارة على بلدة في الجنوب"),
    "Burkina Faso": (439, "Africa", 0.03, ["Centre-Nord region", "Sahel region", "Est region"],
                     12.5, -1.5, "Attaque djihadiste dans la région du Sahel"),
    "Haiti": (41, "Americas", 0.01, ["Ouest department", "Artibonite department"], 18.7, -72.5,
              "Atak gang nan Pòtoprens"),
}

SYRIA_HEADLINES = [
    "اشتباكات عنيفة في ريف حماة الشمالي",
    "قصف على مدينة إدلب ومقتل مدنيين",
    "مقتل عناصر في دير الزور",
    "Clashes continue around Tal Rifaat",
    "Shelling on the \"Sheikh Maqsoud\" neighbourhood, Aleppo",
    "Human losses in the countryside of Latakia, Jableh and Baniyas",
    "Bombardment targets Idlib and Hama",
    "Attaque à Homs : au moins 12 morts",
]
OUTLETS = ["SOHR", "Agence France Presse", "Reuters News", "BBC Monitoring Middle East",
           "SANA", "Associated Press Newswires", "Al Jazeera", "Xinhua General News Service",
           "Enab Baladi", "Syrian Network for Human Rights", "Interfax", "Le Monde"]
ACTORS_A = ["Government of {c}", "IS", "Syrian insurgents", "SDF", "HTS", "Hamas", "JNIM",
            "al-Shabaab", "Taleban", "CJNG", "ELN", "RSF", "Government of Russia (Soviet Union)"]
ACTORS_B = ["Civilians", "Syrian insurgents", "IS", "Government of {c}", "PKK", "M23",
            "Ansarallah", "Arakan Army", "Sinaloa Cartel", "Ahrar al-Sham, Jabhat Fateh al-Sham"]
VILLAGES = ["Kafr Nabl", "Tell Abyad", "Ain al-Arab", "Jisr al-Shughur", "Saraqib", "Ma'arat al-Nu'man",
            "Qardaha", "Jableh", "Baniyas", "Masyaf", "Salamiyah", "Talkalakh", "Douma",
            "Zamalka", "Bosra", "Nawa", "Al-Bab", "Manbij", "Busayrah", "Al-Mayadin", "Qamishli",
            "Sanamayn", "Shahba", "Khan Arnabah", "Kobani", "Afrin"]


def _article(rng: np.random.Generator, headline: str, outlet: str, date: str) -> str:
    """One ``source_article`` cell: one to three ``"outlet,date,headline"`` items."""
    items = [f'"{outlet},{date},{headline}"']
    for _ in range(int(rng.integers(0, 3))):
        other = OUTLETS[int(rng.integers(len(OUTLETS)))]
        items.append(f'"{other},{date},{SYRIA_HEADLINES[int(rng.integers(len(SYRIA_HEADLINES)))]}"')
    joiner = ";\n" if rng.random() < 0.10 else ";"  # ~6 % of rows span lines
    return joiner.join(items)


def generate(rows: int, seed: int = 20250306, syria_share: float | None = None) -> pd.DataFrame:
    """Return the synthetic GED events as a frame of text columns (in file order)."""
    rng = np.random.default_rng(seed)
    names = list(COUNTRIES)
    shares = np.array([COUNTRIES[n][2] for n in names], dtype=float)
    if syria_share is not None:
        rest = shares[1:] / shares[1:].sum() * (1 - syria_share)
        shares = np.concatenate([[syria_share], rest])
    shares /= shares.sum()
    country_index = rng.choice(len(names), size=rows, p=shares)
    syria = country_index == 0

    # dates: Syria 2011-03 .. 2024-12, others 1989 .. 2024
    lo_all = np.datetime64("1989-01-01").astype("int64")
    lo_syr = np.datetime64("2011-03-15").astype("int64")
    hi = np.datetime64("2024-12-31").astype("int64")
    start = np.where(syria, rng.integers(lo_syr, hi + 1, rows), rng.integers(lo_all, hi + 1, rows))
    prec = rng.choice([1, 2, 3, 4, 5], size=rows, p=[0.90, 0.06, 0.01, 0.02, 0.01])
    span = np.select([prec == 1, prec == 2, prec == 3, prec == 4], [0, rng.integers(1, 7, rows),
                     rng.integers(1, 14, rows), rng.integers(7, 31, rows)], rng.integers(30, 200, rows))
    end = np.minimum(start + span, hi)
    order = np.argsort(start, kind="stable")  # GED global is roughly in date order
    country_index, syria, start, end, prec = (a[order] for a in (country_index, syria, start, end, prec))
    start_d = start.astype("datetime64[D]")
    end_d = end.astype("datetime64[D]")
    start_s = np.datetime_as_string(start_d)
    end_s = np.datetime_as_string(end_d)
    year = start_d.astype("datetime64[Y]").astype("int64") + 1970

    ids = 1 + np.cumsum(rng.integers(1, 4, rows))
    country = np.array(names, dtype=object)[country_index]
    gw = np.array([COUNTRIES[n][0] for n in names])[country_index]
    region = np.array([COUNTRIES[n][1] for n in names], dtype=object)[country_index]

    # adm_1 / adm_2
    adm1 = np.empty(rows, dtype=object)
    syr_names = list(SYRIA_ADM1)
    syr_w = np.array(list(SYRIA_ADM1.values()), dtype=float)
    adm1[syria] = np.array(syr_names, dtype=object)[rng.choice(len(syr_names), size=int(syria.sum()),
                                                              p=syr_w / syr_w.sum())]
    for k, n in enumerate(names[1:], start=1):
        mask = country_index == k
        pool = COUNTRIES[n][3]
        adm1[mask] = np.array(pool, dtype=object)[rng.integers(0, len(pool), int(mask.sum()))]
    district = np.array([f"{v} district" for v in VILLAGES], dtype=object)[rng.integers(0, len(VILLAGES), rows)]
    adm2 = np.where(adm1 == "", "", district)
    village_i = rng.integers(0, len(VILLAGES), rows)
    kind = rng.choice(["village", "town", "city", "neighbourhood"], size=rows)
    where_coord = pd.Series(np.array(VILLAGES, dtype=object)[village_i]) + " " + kind
    where_coord = where_coord.where(adm1 != "", pd.Series(country) + " (country)")
    where_prec = np.where(adm1 == "", 6, rng.choice([1, 2, 3, 4], size=rows, p=[0.5, 0.3, 0.1, 0.1]))

    lat0 = np.array([COUNTRIES[n][4] for n in names])[country_index]
    lon0 = np.array([COUNTRIES[n][5] for n in names])[country_index]
    lat = np.round(lat0 + rng.normal(0, 1.2, rows), 6)
    lon = np.round(lon0 + rng.normal(0, 1.2, rows), 6)
    lat_s = pd.Series(lat).map("{:.6f}".format)
    lon_s = pd.Series(lon).map("{:.6f}".format)
    priogrid = ((np.floor((lat + 90) * 2)) * 720 + np.floor((lon + 180) * 2) + 1).astype(np.int64)

    # violence, actors, conflicts
    tov = rng.choice([1, 2, 3], size=rows, p=[0.55, 0.2, 0.25])
    a_i = rng.integers(0, len(ACTORS_A), rows)
    b_i = rng.integers(0, len(ACTORS_B), rows)
    short = pd.Series(country).str.replace(r" \(.*\)$", "", regex=True)
    side_a = pd.Series(np.array(ACTORS_A, dtype=object)[a_i]).str.replace("{c}", "", regex=False)
    side_a = np.where(side_a.str.endswith("of "), side_a + short, side_a)
    side_b = pd.Series(np.array(ACTORS_B, dtype=object)[b_i])
    side_b = np.where(tov == 3, "Civilians", np.where(side_b.str.endswith("of {c}"),
                      side_b.str.replace("{c}", "", regex=False) + short, side_b))
    side_a_s, side_b_s = pd.Series(side_a, dtype=object), pd.Series(side_b, dtype=object)
    dyad = side_a_s + " - " + side_b_s
    conflict = np.where(tov == 1, short + ": Government", dyad)
    conflict_id = (a_i * 100 + b_i * 7 + tov + 200).astype(np.int64)
    dyad_id = (a_i * 1000 + b_i * 10 + tov + 400).astype(np.int64)
    side_a_id = (a_i + 100).astype(np.int64)
    side_b_id = (b_i + 4000).astype(np.int64)
    gwnoa = np.where(side_a_s.str.startswith("Government of"), gw.astype(str), "")
    gwnob = np.where(side_b_s.str.startswith("Government of"), gw.astype(str), "")
    relid = (pd.Series(country).str[:3].str.upper() + "-" + pd.Series(year.astype(str)) + "-"
             + pd.Series(tov.astype(str)) + "-" + pd.Series(conflict_id.astype(str)) + "-"
             + pd.Series(rng.integers(1, 200, rows).astype(str)))

    # deaths: heavy-tailed, best = sum of parts; ~0.6 % with low/high not bracketing best
    deaths = np.minimum(rng.zipf(1.9, size=(rows, 4)) - 1, 3000)
    parts = deaths * (rng.random((rows, 4)) < np.array([0.5, 0.5, 0.35, 0.25]))
    parts[tov == 3, :2] = 0
    best = parts.sum(axis=1)
    best = np.where(best == 0, 1, best)
    parts[:, 3] += best - parts.sum(axis=1)
    low = best - np.minimum(best, rng.integers(0, 3, rows) * (rng.random(rows) < 0.1))
    high = best + rng.integers(0, 5, rows) * (rng.random(rows) < 0.15)
    odd = rng.random(rows) < 0.006
    low = np.where(odd & (rng.random(rows) < 0.5), best + 1, low)
    high = np.where(odd & (low <= best), np.maximum(best - 1, 0), high)

    # sources and text: a pool of articles, picked per row
    pool = 4096
    p_country = rng.integers(0, len(names), pool)
    p_outlet = rng.integers(0, len(OUTLETS), pool)
    p_date = np.datetime_as_string(rng.integers(lo_all, hi, pool).astype("datetime64[D]"))
    p_head = []
    for i in range(pool):
        local = COUNTRIES[names[p_country[i]]][6]
        if p_country[i] == 0 or local is None or rng.random() < 0.5:
            p_head.append(SYRIA_HEADLINES[int(rng.integers(len(SYRIA_HEADLINES)))] if p_country[i] == 0
                          else f"Fighting reported in {names[p_country[i]]}, several killed")
        else:
            p_head.append(local)
    p_article = [_article(rng, p_head[i], OUTLETS[p_outlet[i]], p_date[i]) for i in range(pool)]
    pick = rng.integers(0, pool, rows)
    article = np.array(p_article, dtype=object)[pick]
    office = np.array(OUTLETS, dtype=object)[p_outlet][pick]
    source_date = np.array(p_date, dtype=object)[pick]
    headline = np.array(p_head, dtype=object)[pick]
    original = np.where(rng.random(rows) < 0.5, office, "Local activists; " + office)
    n_sources = (np.char.count(article.astype(str), '";"') + 1)
    where_desc = np.where(adm1 == "", "", "near " + where_coord.to_numpy().astype(str) + ", " + adm2.astype(str))

    stamp = " 00:00:00.000"
    frame = pd.DataFrame({
        "id": ids, "relid": relid, "year": year, "active_year": (rng.random(rows) < 0.9).astype(int),
        "code_status": "Clear", "type_of_violence": tov, "conflict_dset_id": conflict_id,
        "conflict_new_id": conflict_id, "conflict_name": conflict, "dyad_dset_id": dyad_id,
        "dyad_new_id": dyad_id, "dyad_name": dyad, "side_a_dset_id": side_a_id,
        "side_a_new_id": side_a_id, "side_a": side_a, "side_b_dset_id": side_b_id,
        "side_b_new_id": side_b_id, "side_b": side_b, "number_of_sources": n_sources,
        "source_article": article, "source_office": office, "source_date": source_date,
        "source_headline": headline, "source_original": original, "where_prec": where_prec,
        "where_coordinates": where_coord, "where_description": where_desc, "adm_1": adm1,
        "adm_2": adm2, "latitude": lat_s, "longitude": lon_s,
        "geom_wkt": "POINT (" + lon_s + " " + lat_s + ")", "priogrid_gid": priogrid,
        "country": country, "country_id": gw, "region": region,
        "event_clarity": rng.choice([1, 2], size=rows, p=[0.95, 0.05]), "date_prec": prec,
        "date_start": pd.Series(start_s, dtype=object) + stamp,
        "date_end": pd.Series(end_s, dtype=object) + stamp,
        "deaths_a": parts[:, 0], "deaths_b": parts[:, 1], "deaths_civilians": parts[:, 2],
        "deaths_unknown": parts[:, 3], "best": best, "high": high, "low": low,
        "gwnoa": gwnoa, "gwnob": gwnob,
    })
    assert tuple(frame.columns) == COLUMNS
    return frame


def output_path(rows: int) -> Path:
    return OUTPUT / f"ged_synthetic_{rows}.csv"


def ensure(rows: int, seed: int = 20250306, quiet: bool = False) -> Path:
    """Return the synthetic file for ``rows``/``seed``, writing it only if missing or stale."""
    path = output_path(rows)
    meta_path = path.with_suffix(".csv.json")
    wanted = {"rows": rows, "seed": seed, "generator": GENERATOR_VERSION}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if {k: meta.get(k) for k in wanted} == wanted and meta.get("bytes") == path.stat().st_size:
            return path
    write(rows, seed, quiet=quiet)
    return path


def write(rows: int, seed: int = 20250306, quiet: bool = False) -> Path:
    started = time.perf_counter()
    frame = generate(rows, seed)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = output_path(rows)
    partial = path.with_suffix(".csv.partial")
    frame.to_csv(partial, index=False, lineterminator="\n", encoding="utf-8")
    digest = hashlib.sha256()
    with partial.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    os.replace(partial, path)
    meta = {"rows": rows, "seed": seed, "generator": GENERATOR_VERSION, "bytes": path.stat().st_size,
            "sha256": digest.hexdigest(), "synthetic": True}
    path.with_suffix(".csv.json").write_text(json.dumps(meta, indent=2) + "\n")
    if not quiet:
        print(f"wrote SYNTHETIC GED file {path} ({rows:,} events, {meta['bytes'] / 1e6:.1f} MB, "
              f"sha256 {meta['sha256'][:16]}..., {time.perf_counter() - started:.1f} s)")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000, help="events to write (default 400,000)")
    parser.add_argument("--seed", type=int, default=20250306, help="random seed (default 20250306)")
    args = parser.parse_args(argv)
    write(args.rows, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
