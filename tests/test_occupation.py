"""Occupation coding (transforms/occupation.py) against the vendored O*NET lookups."""
from __future__ import annotations

import json

import polars as pl
import pytest
from conftest import shared_data

from credwatch.settings import load_config
from transforms.occupation import (
    OCCUPATION_SCHEMA,
    RULES,
    code_occupations,
    code_titles,
    exact_key,
    load_education_shares,
    load_occupations,
    load_title_lookup,
    normalise_title,
)


def code(*titles: str) -> dict[str, dict]:
    out = code_titles(pl.DataFrame({"title": list(titles)}))
    return {r["title"]: r for r in out.iter_rows(named=True)}


@pytest.mark.parametrize(
    ("title", "soc"),
    [
        ("Software Engineer", "15-1252.00"),
        ("Senior Software Engineer", "15-1252.00"),
        ("Sr. Software Engineer II", "15-1252.00"),
        ("Registered Nurse", "29-1141.00"),
        ("Registered Nurse - Med/Surg", "29-1141.00"),
        ("Truck Driver", "53-3032.00"),
        ("Class A Truck Driver", "53-3032.00"),
        ("HR Generalist", "13-1071.00"),
        ("Project Manager", "13-1082.00"),
        ("Data Analyst", "15-2051.01"),
        ("Electrician", "47-2111.00"),
        ("Penetration Tester", "15-1299.04"),
    ],
)
def test_known_titles(title, soc):
    got = code(title)[title]
    assert got["soc_code"] == soc, got
    assert got["soc_major"] == soc[:2]
    assert got["occupation_method"] in ("exact", "normalised")


def test_major_group_and_titles_filled():
    got = code("Registered Nurse")["Registered Nurse"]
    assert got["soc_title"] == "Registered Nurses"
    assert got["soc_major_title"] == "Healthcare Practitioners and Technical Occupations"


def test_unknown_title_is_none():
    got = code("Qwertyuiop Zxcvb")["Qwertyuiop Zxcvb"]
    assert got["occupation_method"] == "none"
    assert got["soc_code"] is None and got["soc_major"] is None
    assert got["occupation_confidence"] == 0.0


def test_confidence_falls_with_each_looser_method():
    titles = [
        "Software Engineer",                     # exact O*NET alternate title
        "Senior Software Engineer II",           # normalised
        "Software Engineer - Payments",          # first segment
        "Payments Platform Software Engineer",   # two leading words dropped
        "Sofware Engineer",                      # fuzzy (spelling)
        "Qwertyuiop Zxcvb",                      # none
    ]
    got = code(*titles)
    assert [got[t]["soc_code"] for t in titles[:5]] == ["15-1252.00"] * 5
    assert [got[t]["occupation_method"] for t in titles] == ["exact", "normalised", "normalised", "normalised", "fuzzy", "none"]
    conf = [got[t]["occupation_confidence"] for t in titles]
    assert conf == sorted(conf, reverse=True) and len(set(conf)) == len(conf), conf
    assert all(0.0 <= c <= 1.0 for c in conf)


def test_ambiguous_title_has_lower_confidence_than_unambiguous():
    # O*NET lists "Truck Driver" under five occupations, "HR Generalist" under one.
    got = code("Truck Driver", "HR Generalist")
    assert got["Truck Driver"]["occupation_method"] == got["HR Generalist"]["occupation_method"] == "exact"
    assert got["Truck Driver"]["occupation_confidence"] < got["HR Generalist"]["occupation_confidence"] == 1.0


def test_fuzzy_never_narrows_a_title():
    got = code("Automotive Wheel Repair Technician", "Customer Experience Specialist", "Case Manager")
    # an extra word in the title is fine ...
    assert got["Automotive Wheel Repair Technician"]["soc_code"] == "49-3021.00"
    assert got["Automotive Wheel Repair Technician"]["occupation_method"] == "fuzzy"
    # ... but a title is not read as a narrower O*NET title ("Salon Customer Experience
    # Specialist") or as a near-spelling of another word ("Cage Manager").
    assert got["Customer Experience Specialist"]["soc_code"] != "39-5012.00"
    assert got["Case Manager"]["occupation_method"] in ("none", "exact", "normalised")


def test_normalise_title():
    rules = load_config(RULES)
    out = pl.select(
        normalise_title(pl.lit(t), rules).alias(t)
        for t in ["Sr. Software Engineer II (Remote)", "Registered Nurses", "HVAC Tech", "Lead Data Engineer", "Team Lead"]
    ).row(0)
    assert out == ("software engineer", "registered nurse", "hvac technician", "data engineer", "team lead")


def test_code_occupations_keeps_rows_and_adds_columns():
    lf = pl.LazyFrame({"posting_key": ["a", "b", "c", "d"], "title": ["Software Engineer", None, "Software Engineer", "Qwertyuiop"]})
    out = code_occupations(lf, fuzzy=False).collect()
    assert out["posting_key"].to_list() == ["a", "b", "c", "d"]
    assert {k: out.schema[k] for k in OCCUPATION_SCHEMA} == OCCUPATION_SCHEMA
    assert out["occupation_method"].to_list() == ["exact", "none", "exact", "none"]
    assert out["soc_code"].to_list()[0] == out["soc_code"].to_list()[2] == "15-1252.00"


def test_every_onet_occupation_title_codes_to_itself():
    occ = load_occupations()
    got = code_titles(occ.select(pl.col("soc_title").alias("title")), fuzzy=False).join(
        occ.select(pl.col("soc_title").alias("title"), pl.col("soc_code").alias("own")), on="title"
    )
    assert got.height == occ.height
    assert (got["soc_code"] == got["own"]).all(), got.filter(pl.col("soc_code") != pl.col("own")).head()


def test_lookup_is_consistent_with_the_normaliser():
    # Both sides of the match use normalise_title: each exact key's normalised
    # form is a normalised key with the same occupation (rebuild after changing rules).
    lk = load_title_lookup()
    exact = lk.filter(pl.col("key_type") == "exact").with_columns(normalise_title(pl.col("key")).alias("nkey"))
    norm = lk.filter(pl.col("key_type") == "normalised").select(pl.col("key").alias("nkey"), pl.col("soc_code").alias("nsoc"))
    joined = exact.join(norm, on="nkey", how="left")
    assert joined["nsoc"].null_count() == 0
    assert (joined["soc_code"] == joined["nsoc"]).all()
    assert lk.select(pl.col("share").is_between(0, 1).all()).item()
    assert (exact["key"] == exact.select(exact_key(pl.col("key"))).to_series()).all()


def test_education_shares():
    edu = load_education_shares()
    assert edu["soc_code"].is_unique().all()
    assert edu.select(pl.col("share_ba_plus").is_between(0, 1).all()).item()
    measured = edu.filter(pl.col("basis") == "onet")
    assert measured.select((pl.col("share_total") - 1).abs().max()).item() < 0.02
    share = dict(zip(edu["soc_code"], edu["share_ba_plus"]))
    assert share["15-1243.00"] > 0.6 > 0.1 > share["53-3032.00"]
    assert set(edu["soc_code"]) <= set(load_occupations()["soc_code"])
    # Software Developers has no O*NET education data: imputed from its broad occupation, and says so.
    dev = edu.filter(pl.col("soc_code") == "15-1252.00").row(0, named=True)
    assert dev["basis"] == "broad_group_mean" and "15-1251.00" in dev["imputed_from"]
    peers = measured.filter(pl.col("soc_code").is_in(dev["imputed_from"].split()))
    assert dev["share_ba_plus"] == pytest.approx(peers["share_ba_plus"].mean(), abs=1e-4)


def test_snapshot_titles_are_mostly_coded_in_their_major_group():
    from snapshot.content import TITLES

    rows = [(t.text, t.soc) for fam in TITLES.values() for t in fam]
    got = code(*[r[0] for r in rows])
    coded = [(got[t]["soc_major"], soc[:2]) for t, soc in rows if got[t]["soc_code"]]
    assert len(coded) / len(rows) >= 0.85
    assert sum(a == b for a, b in coded) / len(coded) >= 0.9


def test_real_titles_coverage():
    gh = shared_data("greenhouse-history", "jobs.jsonl.gz")
    jobs = pl.read_ndjson(gh, schema={"board": pl.String, "id": pl.Int64, "title": pl.String}, n_rows=60_000)
    titles = jobs.unique(["board", "id"]).sort(["board", "id"]).head(5_000).select("title")
    out = code_occupations(titles.with_row_index("posting_key").lazy()).collect()
    share = out["occupation_method"].value_counts(normalize=True)
    coded = 1 - dict(share.iter_rows()).get("none", 0.0)
    assert 0.5 <= coded <= 0.95, share
    remotive = json.loads(shared_data("remotive", "remote-jobs-2026-07.json").read_text())["jobs"]
    got = code(*[j["title"] for j in remotive])
    assert got["Senior DevOps Engineer"]["soc_major"] == "15"
    assert got["Freelance Writer"]["soc_major"] == "27"
