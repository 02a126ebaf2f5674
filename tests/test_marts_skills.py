"""Skill marts and the skill / occupation dimensions, on small hand-made partitions.

Fixture (6 postings, two weeks; soc_major x country; company; mentions):

  2026-W10  p0 15 US A  cissp req | python req, esco-sql preferred
            p1 15 US B  cissp req | python preferred + python req (strongest: req), git req
            p2 13 DE C  pmp req   | python or-equivalent, esco-sql as a perk (not demand)
            p3 13 US D  -
  2026-W11  p0, p1 listed again (not new; p1 no longer mentions git)
            p4 15 US E  zz-not-in-registry req | esco-sql req
            p5 13 DE F  -
  p2 and p3 are not listed in W11: they are not active there.

Every expected value below is computed by hand from this table.
"""
from __future__ import annotations

import csv
import gzip
import importlib.util
import shutil

import duckdb
import pytest
import yaml

from conftest import REPO, write_clean_postings, write_mentions
from credwatch.settings import paths
from warehouse.load import load_weeks
from warehouse.models import MODELS, tables
from warehouse.publish import table_checksum

W10, W11 = "2026-W10", "2026-W11"
MY_TABLES = ("skill_demand_weekly", "skill_credential_cooccurrence", "dim_skill", "dim_occupation")

REQ, PREF, OREQ, PERK = ("required", "dictionary", True), ("preferred", "preferred_phrase", True), \
    ("or_equivalent", "or_equivalent_phrase", True), ("none", "perk_phrase", False)

POSTINGS = {
    "p0": ("15", "US", "A"), "p1": ("15", "US", "B"), "p2": ("13", "DE", "C"),
    "p3": ("13", "US", "D"), "p4": ("15", "US", "E"), "p5": ("13", "DE", "F"),
}
WEEKS = {
    W10: {
        "p0": [("credential", "cissp", REQ), ("skill", "python", REQ), ("skill", "esco-sql", PREF)],
        "p1": [("credential", "cissp", REQ), ("skill", "python", PREF), ("skill", "python", REQ), ("skill", "git", REQ)],
        "p2": [("credential", "pmp", REQ), ("skill", "python", OREQ), ("skill", "esco-sql", PERK)],
        "p3": [],
    },
    W11: {
        "p0": [("credential", "cissp", REQ), ("skill", "python", REQ), ("skill", "esco-sql", PREF)],
        "p1": [("credential", "cissp", REQ), ("skill", "python", PREF), ("skill", "python", REQ)],
        "p4": [("credential", "zz-not-in-registry", REQ), ("skill", "esco-sql", REQ)],
        "p5": [],
    },
}


def write_week(week: str) -> None:
    part = paths().clean_partition(week)
    part.mkdir(parents=True, exist_ok=True)
    postings, mentions = [], []
    for p, ments in WEEKS[week].items():
        soc, country, company = POSTINGS[p]
        lines = [f"{eid} {strength}" for _, eid, (strength, _, _) in ments] or ["-"]
        postings.append({"posting_key": f"greenhouse:{p}", "week": week, "source": "greenhouse", "source_id": p,
                         "title": f"Job {p}", "company": f"Company {company}", "soc_major": soc, "country": country,
                         "text": "\n".join(lines)})
        for k, (etype, eid, (strength, rule, counts)) in enumerate(ments):
            mentions.append({"posting_key": f"greenhouse:{p}", "entity_type": etype, "entity_id": eid, "surface": eid,
                             "line_no": k, "line_start": sum(len(x) + 1 for x in lines[:k]), "section": "requirements",
                             "strength": strength, "counts_as_demand": counts, "rule": rule, "week": week})
    write_clean_postings(part / "postings.parquet", postings)
    write_mentions(part / "mentions.parquet", mentions)


def marts_config(cfg_dir, **overrides) -> None:
    m = yaml.safe_load((REPO / "config" / "marts.yml").read_text())
    m.update(overrides)
    (cfg_dir / "marts.yml").write_text(yaml.safe_dump(m))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Both weeks loaded once; every pair kept in the co-occurrence mart (min 1 posting, support 0)."""
    root = tmp_path_factory.mktemp("skills")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDWATCH_LAKE", str(root / "lake"))
        mp.setenv("CREDWATCH_WAREHOUSE", str(root / "warehouse"))
        cfg = root / "config"
        shutil.copytree(REPO / "config", cfg)
        marts_config(cfg, index_baseline_week=W10, cooccurrence_window_weeks=12,
                     cooccurrence_min_postings=1, cooccurrence_min_support=0.0)
        mp.setenv("CREDWATCH_CONFIG", str(cfg))
        write_week(W10)
        write_week(W11)
        load_weeks([W10, W11])
        yield root


def rows(sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(paths().work_db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture
def env(built, monkeypatch):
    """The module's database and config, visible to paths() in this test."""
    monkeypatch.setenv("CREDWATCH_LAKE", str(built / "lake"))
    monkeypatch.setenv("CREDWATCH_WAREHOUSE", str(built / "warehouse"))
    monkeypatch.setenv("CREDWATCH_CONFIG", str(built / "config"))
    return built


def demand(week: str, skill: str, soc: str = "ALL", region: str = "ALL") -> dict | None:
    cols = ["active_postings", "new_postings", "mentioning_postings", "new_mentioning_postings", "demand_share",
            "required_share", "preferred_share", "or_equivalent_share", "demand_share_4wk", "demand_index",
            "wow_change_pp", "yoy_change_pp", "location_quotient", "employers"]
    r = rows(f"SELECT {', '.join(cols)} FROM skill_demand_weekly WHERE week = ? AND skill_id = ? AND soc_major = ? AND region = ?",
             [week, skill, soc, region])
    return dict(zip(cols, r[0])) if r else None


def approx(d: dict) -> dict:
    return {k: (pytest.approx(v) if isinstance(v, float) else v) for k, v in d.items()}


def load_step(name: str):
    path = MODELS / "build" / name
    spec = importlib.util.spec_from_file_location(f"test_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- skill_demand_weekly


def test_skill_demand_week1_hand_computed(env):
    # ALL x ALL: 4 active, all new; python asked by p0 (req), p1 (req beats preferred), p2 (or-equivalent).
    assert demand(W10, "python") == approx({
        "active_postings": 4, "new_postings": 4, "mentioning_postings": 3, "new_mentioning_postings": 3,
        "demand_share": 0.75, "required_share": 0.5, "preferred_share": 0.0, "or_equivalent_share": 0.25,
        "demand_share_4wk": 0.75, "demand_index": 100.0, "wow_change_pp": None, "yoy_change_pp": None,
        "location_quotient": 1.0, "employers": 3,
    })
    # SQL: p0 preferred; p2's is a perk and does not count.
    d = demand(W10, "esco-sql")
    assert (d["mentioning_postings"], d["demand_share"], d["preferred_share"], d["required_share"]) == (1, 0.25, 0.25, 0.0)
    # Cells: (15, US) has p0, p1 -> python 2/2, LQ 1 / 0.75; (ALL, US) has p0, p1, p3 -> 2/3.
    d = demand(W10, "python", "15", "US")
    assert (d["active_postings"], d["mentioning_postings"], d["demand_share"]) == (2, 2, 1.0)
    assert d["location_quotient"] == pytest.approx(1 / 0.75)
    assert demand(W10, "python", "ALL", "US")["demand_share"] == pytest.approx(2 / 3)
    assert demand(W10, "python", "13", "ALL")["demand_share"] == pytest.approx(0.5)
    # (13, US) holds only p3, which asks for nothing: no python row there.
    assert demand(W10, "python", "13", "US") is None


def test_skill_demand_week2_trailing_mean_index_wow(env):
    # W11: p0, p1, p4, p5 active (p4, p5 new). python: p0, p1 -> 0.5; 4wk = (0.75 + 0.5) / 2.
    d = demand(W11, "python")
    assert (d["active_postings"], d["new_postings"], d["mentioning_postings"], d["new_mentioning_postings"]) == (4, 2, 2, 0)
    assert d["demand_share"] == pytest.approx(0.5)
    assert d["demand_share_4wk"] == pytest.approx(0.625)
    assert d["demand_index"] == pytest.approx(100 * 0.625 / 0.75)
    assert d["wow_change_pp"] == pytest.approx(-25.0)
    assert d["yoy_change_pp"] is None  # 52 weeks earlier is not loaded
    # SQL: p0 preferred, p4 required (new) -> 0.5; 4wk (0.25 + 0.5) / 2; index 100 x 0.375 / 0.25.
    d = demand(W11, "esco-sql")
    assert (d["mentioning_postings"], d["new_mentioning_postings"], d["required_share"], d["preferred_share"]) == (2, 1, 0.25, 0.25)
    assert (d["demand_share_4wk"], d["demand_index"], d["wow_change_pp"]) == (pytest.approx(0.375), pytest.approx(150.0), pytest.approx(25.0))
    # (15, US) in W11: p0, p1, p4 -> SQL 2/3, LQ (2/3) / 0.5.
    assert demand(W11, "esco-sql", "15", "US")["location_quotient"] == pytest.approx((2 / 3) / 0.5)
    # python in (13, DE): asked in W10 (p2), not in W11 (p5 only): the row stays while the mean decays.
    d = demand(W11, "python", "13", "DE")
    assert (d["active_postings"], d["mentioning_postings"], d["demand_share"]) == (1, 0, 0.0)
    assert d["demand_share_4wk"] == pytest.approx(0.5)
    assert d["wow_change_pp"] == pytest.approx(-100.0)
    assert d["location_quotient"] == 0.0
    # git: p1 in W10 only -> W11 row of 0 with trailing mean (0.25 + 0) / 2.
    d = demand(W11, "git")
    assert (d["mentioning_postings"], d["demand_share_4wk"], d["demand_index"]) == (0, pytest.approx(0.125), pytest.approx(50.0))
    # (13, US) has no active posting in W11: no row at all.
    assert demand(W11, "python", "13", "US") is None


def test_skill_demand_rows_only_for_asked_skills(env):
    # No zero-fill over the taxonomy: exactly the skills asked for in the week or its trailing window.
    got = {(w, s) for w, s in rows("SELECT DISTINCT week, skill_id FROM skill_demand_weekly WHERE soc_major = 'ALL' AND region = 'ALL'")}
    assert got == {(W10, "python"), (W10, "esco-sql"), (W10, "git"), (W11, "python"), (W11, "esco-sql"), (W11, "git")}
    # Cell rows of W10: python in 6 cells ((15,US),(13,DE),(15,ALL),(13,ALL),(ALL,US),(ALL,DE)) + ALL x ALL;
    # esco-sql and git each in (15,US),(15,ALL),(ALL,US) + ALL x ALL.
    assert rows("SELECT count(*) FROM skill_demand_weekly WHERE week = ?", [W10])[0][0] == 7 + 4 + 4


def test_skill_demand_has_the_credential_marts_shape(env):
    con = duckdb.connect(str(paths().work_db), read_only=True)
    cred = [(c.replace("credential_id", "skill_id"), t) for c, t, *_ in con.execute("DESCRIBE credential_demand_weekly").fetchall()]
    skill = [(c, t) for c, t, *_ in con.execute("DESCRIBE skill_demand_weekly").fetchall()]
    con.close()
    assert skill == cred


def test_shares_add_up_and_stay_in_range(env):
    bad = rows("""SELECT * FROM skill_demand_weekly
                  WHERE abs(required_share + preferred_share + or_equivalent_share - demand_share) > 1e-12
                     OR demand_share < 0 OR demand_share > 1 OR mentioning_postings > active_postings""")
    assert bad == []


def test_skill_sql_is_the_credential_sql_renamed():
    step = load_step("60_skill_demand_weekly.py")
    sql = step.render()
    assert "credential" not in sql.lower()
    assert "dim_credential" not in sql and "skill_demand_weekly" in sql and "int_skill_mentions" in sql
    source = step.SOURCE.read_text()
    # A change to build/32 that the renaming cannot follow fails loudly, not silently.
    with pytest.raises(ValueError, match="exactly one row-set branch"):
        step.render(source.replace("FROM dim_credential d", "FROM dim_credential AS d"))
    with pytest.raises(ValueError, match=r"credential-specific names \['credential_weight'\]"):
        step.render(source.replace("AS employers", "AS employers, 1 AS credential_weight", 1))


# --------------------------------------------------------------------------- skill_credential_cooccurrence


def cooc(week: str) -> dict:
    r = rows("SELECT credential_id, skill_id, window_start, window_weeks_loaded, postings, credential_postings, skill_postings, "
             "both_postings, support, confidence, credential_given_skill, lift FROM skill_credential_cooccurrence WHERE week = ?", [week])
    return {(c, s): rest for c, s, *rest in r}


def test_cooccurrence_hand_computed(env):
    # W11 window (2025-W52..2026-W11): p0..p5 once each -> N = 6; p0, p1 read as listed in W11 (p1 without git).
    # cissp: p0, p1 (2); pmp: p2 (1); zz-not-in-registry is not a registry credential.
    # python: p0, p1, p2 (3); esco-sql: p0, p4 (2; p2's is a perk); git: nobody (p1's latest reading has none).
    got = cooc(W11)
    assert set(got) == {("cissp", "python"), ("cissp", "esco-sql"), ("pmp", "python")}
    assert got[("cissp", "python")] == ["2025-W52", 2, 6, 2, 3, 2, pytest.approx(2 / 6), 1.0, pytest.approx(2 / 3), pytest.approx(2.0)]
    assert got[("cissp", "esco-sql")] == ["2025-W52", 2, 6, 2, 2, 1, pytest.approx(1 / 6), 0.5, 0.5, pytest.approx(1.5)]
    assert got[("pmp", "python")] == ["2025-W52", 2, 6, 1, 3, 1, pytest.approx(1 / 6), 1.0, pytest.approx(1 / 3), pytest.approx(2.0)]
    # W10 window: p0..p3, N = 4; python 3, esco-sql 1, git 1; lift cissp x git = 1 x 4 / (2 x 1).
    got = cooc(W10)
    assert set(got) == {("cissp", "python"), ("cissp", "esco-sql"), ("cissp", "git"), ("pmp", "python")}
    assert got[("cissp", "python")][:3] == ["2025-W51", 1, 4]
    assert got[("cissp", "python")][2:] == [4, 2, 3, 2, 0.5, 1.0, pytest.approx(2 / 3), pytest.approx(4 / 3)]
    assert got[("cissp", "git")][5] == 1 and got[("cissp", "git")][-1] == pytest.approx(2.0)
    # lift is P(s & c) / (P(s) P(c)) recomputed from the published counts.
    for c, s, n, nc, ns, nb, lift in rows("SELECT credential_id, skill_id, postings, credential_postings, skill_postings, "
                                          "both_postings, lift FROM skill_credential_cooccurrence"):
        assert lift == pytest.approx((nb / n) / ((ns / n) * (nc / n)))


@pytest.mark.parametrize(("min_postings", "min_support", "kept"), [
    (2, 0.0, {("cissp", "python")}),                                      # 2 postings ask for both; the others 1
    (1, 0.17, {("cissp", "python")}),                                     # 1/6 = 0.1667 < 0.17
    (1, 0.16, {("cissp", "python"), ("cissp", "esco-sql"), ("pmp", "python")}),
])
def test_cooccurrence_min_support_from_config(env, tmp_path, monkeypatch, min_postings, min_support, kept):
    db = tmp_path / "copy.duckdb"
    shutil.copy(paths().work_db, db)
    cfg = tmp_path / "config"
    cfg.mkdir()
    marts_config(cfg, cooccurrence_window_weeks=12, cooccurrence_min_postings=min_postings, cooccurrence_min_support=min_support)
    monkeypatch.setenv("CREDWATCH_CONFIG", str(cfg))
    con = duckdb.connect(str(db))
    load_step("61_skill_credential_cooccurrence.py").build(con, {"week": W11})
    got = {(c, s) for c, s in con.execute("SELECT credential_id, skill_id FROM skill_credential_cooccurrence WHERE week = ?", [W11]).fetchall()}
    # the other week is left alone
    other = con.execute("SELECT count(*) FROM skill_credential_cooccurrence WHERE week = ?", [W10]).fetchone()[0]
    con.close()
    assert got == kept
    assert other == 4


def test_cooccurrence_window_length_from_config(env, tmp_path, monkeypatch):
    # A 1-week window ending at W11 holds only W11's postings: N = 4 (p0, p1, p4, p5), pmp (p2) gone.
    db = tmp_path / "copy.duckdb"
    shutil.copy(paths().work_db, db)
    cfg = tmp_path / "config"
    cfg.mkdir()
    marts_config(cfg, cooccurrence_window_weeks=1, cooccurrence_min_postings=1, cooccurrence_min_support=0.0)
    monkeypatch.setenv("CREDWATCH_CONFIG", str(cfg))
    con = duckdb.connect(str(db))
    load_step("61_skill_credential_cooccurrence.py").build(con, {"week": W11})
    got = {(c, s): (ws, wl, n) for c, s, ws, wl, n in con.execute(
        "SELECT credential_id, skill_id, window_start, window_weeks_loaded, postings FROM skill_credential_cooccurrence WHERE week = ?", [W11]).fetchall()}
    con.close()
    assert got == {("cissp", "python"): (W11, 1, 4), ("cissp", "esco-sql"): (W11, 1, 4)}


def test_cooccurrence_config_errors_name_the_key(env, tmp_path, monkeypatch):
    cfg = tmp_path / "config"
    cfg.mkdir()
    marts_config(cfg, cooccurrence_min_support=1.5)
    monkeypatch.setenv("CREDWATCH_CONFIG", str(cfg))
    with pytest.raises(ValueError, match="cooccurrence_min_support"):
        load_step("61_skill_credential_cooccurrence.py").settings()


# --------------------------------------------------------------------------- dimensions


def test_dim_skill_matches_the_taxonomy_file(env):
    with gzip.open(REPO / "config" / "taxonomies" / "skills.csv.gz", "rt", encoding="utf-8") as fh:
        taxonomy = list(csv.DictReader(fh))
    ids = {r["skill_id"] for r in taxonomy}
    assert rows("SELECT count(*), count(DISTINCT skill_id) FROM dim_skill")[0] == (len(ids), len(ids))
    by_type = dict(rows("SELECT type, count(*) FROM dim_skill GROUP BY type"))
    sources = {r["skill_id"]: r["source"] for r in taxonomy}
    commodity = {i for i in ids if i.startswith("commodity-")}
    assert by_type == {
        "technology_category": len(commodity),
        "technology": sum(1 for i, s in sources.items() if s == "onet_technology_skills" and i not in commodity),
        "skill": sum(1 for s in sources.values() if s in ("esco", "credwatch")),
    }
    aliases = sum(1 for r in taxonomy if r["skill_id"] == "python")
    assert rows("SELECT name, type, source, licence, aliases, hot_technology FROM dim_skill WHERE skill_id = 'python'") == [
        ("Python", "technology", "onet_technology_skills", "CC BY 4.0", aliases, True)]
    assert rows("SELECT source, esco_uri IS NOT NULL FROM dim_skill WHERE skill_id = 'esco-sql'") == [("esco", True)]
    assert rows("SELECT count(*) FROM dim_skill WHERE matched_aliases > aliases OR licence = '' OR taxonomy_version = ''")[0][0] == 0


def test_dim_occupation_matches_the_onet_files(env):
    onet = REPO / "config" / "taxonomies" / "onet"
    with open(onet / "occupations.csv", encoding="utf-8") as fh:
        occ = list(csv.DictReader(fh))
    with open(onet / "education_ba_plus.csv", encoding="utf-8") as fh:
        edu = {r["soc_code"]: r for r in csv.DictReader(fh)}
    assert rows("SELECT count(*), count(DISTINCT soc_code), count(share_ba_plus) FROM dim_occupation")[0] == (
        len(occ), len(occ), sum(1 for r in occ if r["soc_code"] in edu))
    assert rows("SELECT title, soc_major, soc_major_title, share_ba_plus, share_ba_plus_basis FROM dim_occupation "
                "WHERE soc_code = '11-1011.00'") == [("Chief Executives", "11", "Management Occupations",
                                                       float(edu["11-1011.00"]["share_ba_plus"]), "onet")]
    # Software Developers has no O*NET education data: the broad group's mean, with its codes.
    basis, imputed = rows("SELECT share_ba_plus_basis, share_ba_plus_imputed_from FROM dim_occupation WHERE soc_code = '15-1252.00'")[0]
    assert basis == "broad_group_mean" and "15-1251.00" in imputed
    # every soc_major of the dimension is a 2-digit group with one title
    assert rows("SELECT count(*) FROM (SELECT soc_major FROM dim_occupation GROUP BY soc_major HAVING count(DISTINCT soc_major_title) > 1)")[0][0] == 0


# --------------------------------------------------------------------------- grain and reruns


def test_grain_is_unique(env):
    for t in tables():
        if t.name in MY_TABLES:
            key = ", ".join(t.key)
            n = rows(f"SELECT count(*) FROM (SELECT {key} FROM {t.name} GROUP BY {key} HAVING count(*) > 1)")[0][0]
            assert n == 0, f"{t.name} has duplicate keys ({key})"


def test_rerun_gives_identical_checksums(env):
    def checksums() -> dict:
        con = duckdb.connect(str(paths().work_db), read_only=True)
        try:
            return {n: table_checksum(con, n) for n in MY_TABLES}
        finally:
            con.close()

    before = checksums()
    assert rows("SELECT count(*) FROM skill_credential_cooccurrence")[0][0] == 7  # not vacuous
    load_weeks([W11])
    assert checksums() == before
    load_weeks([W10])  # rebuilds W10 and, after it, W11
    assert checksums() == before
