"""Warehouse: load → marts → quality gate → publish, on small hand-made partitions."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from conftest import REPO, write_clean_postings, write_mentions
from credwatch.settings import paths
from expectations.validate import QualityGateFailed, validate
from warehouse.load import load_weeks
from warehouse.models import published_tables, tables
from warehouse.publish import publish, table_checksum

def write_partition(week: str, n_postings: int, mentions: list[tuple[str, str, bool]]) -> None:
    """n postings greenhouse:0..n-1; mentions as (posting index, credential_id, counts_as_demand).
    Mention k sits on line k of its posting's text (the quality gate checks offsets)."""
    part = paths().clean_partition(week)
    part.mkdir(parents=True, exist_ok=True)
    lines = {i: ["-"] * len(mentions) for i in range(n_postings)}
    for k, (i, cid, _) in enumerate(mentions):
        lines[i][k] = f"{cid} required"
    write_clean_postings(part / "postings.parquet",
                         [{"posting_key": f"greenhouse:{i}", "week": week, "source": "greenhouse", "source_id": str(i),
                           "text": "\n".join(lines[i])} for i in range(n_postings)])
    write_mentions(
        part / "mentions.parquet",
        [
            {"posting_key": f"greenhouse:{i}", "entity_type": "credential", "entity_id": cid, "surface": cid, "line_no": k,
             "line_start": sum(len(line) + 1 for line in lines[i][:k]), "section": "requirements", "strength": "required" if d else "none", "counts_as_demand": d,
             "rule": "dictionary" if d else "perk_phrase", "week": week}
            for k, (i, cid, d) in enumerate(mentions)
        ],
    )


def mart(con) -> dict:
    rows = con.execute(
        "SELECT week, credential_id, active_postings, mentioning_postings, demand_share FROM credential_demand_weekly "
        "WHERE soc_major = 'ALL' AND region = 'ALL'"
    ).fetchall()
    return {(w, c): (a, m, s) for w, c, a, m, s in rows}


@pytest.fixture
def two_weeks(lake, monkeypatch):
    # The fixture has 2 credentials with demand; relax the real-run floor of
    # config/quality.yml in a copy of the config (the rest stays as shipped).
    cfg = lake / "config"
    shutil.copytree(REPO / "config", cfg)
    q = yaml.safe_load((cfg / "quality.yml").read_text())
    q["marts"]["credential_demand_weekly"]["min_credentials_with_demand"] = 2
    (cfg / "quality.yml").write_text(yaml.safe_dump(q))
    monkeypatch.setenv("CREDWATCH_CONFIG", str(cfg))
    # week 1: 4 postings; cissp asked by 0 and 1 (1 twice, on two lines), pmp only as a perk.
    write_partition("2026-W10", 4, [(0, "cissp", True), (1, "cissp", True), (1, "cissp", True), (2, "pmp", False)])
    # week 2: 5 postings; cissp by 1 of them, pmp by 2.
    write_partition("2026-W11", 5, [(0, "cissp", True), (3, "pmp", True), (4, "pmp", True)])
    load_weeks(["2026-W10", "2026-W11"])
    return lake


def test_mart_values_hand_computed(two_weeks):
    con = duckdb.connect(str(paths().work_db), read_only=True)
    m = mart(con)
    assert m[("2026-W10", "cissp")] == (4, 2, 0.5)
    assert m[("2026-W10", "pmp")] == (4, 0, 0.0)  # a perk is not demand
    assert m[("2026-W11", "cissp")] == (5, 1, 0.2)
    assert m[("2026-W11", "pmp")] == (5, 2, 0.4)
    n_cred = con.execute("SELECT count(*) FROM dim_credential").fetchone()[0]
    assert len(m) == 2 * n_cred  # full grid: zero demand is a real value
    assert con.execute("SELECT week, postings FROM dim_week ORDER BY 1").fetchall() == [("2026-W10", 4), ("2026-W11", 5)]


def test_every_table_grain_is_unique(two_weeks):
    con = duckdb.connect(str(paths().work_db), read_only=True)
    for t in tables():
        key = ", ".join(t.key)
        dupes = con.execute(f"SELECT count(*) FROM (SELECT {key} FROM {t.name} GROUP BY {key} HAVING count(*) > 1)").fetchone()[0]
        assert dupes == 0, f"{t.name} has duplicate keys ({key})"


def test_rerun_of_a_week_replaces_exactly_that_week(two_weeks):
    con = duckdb.connect(str(paths().work_db), read_only=True)
    before = {t.name: table_checksum(con, t.name) for t in tables()}
    con.close()
    load_weeks(["2026-W11"])
    con = duckdb.connect(str(paths().work_db), read_only=True)
    after = {t.name: table_checksum(con, t.name) for t in tables()}
    assert after == before


def test_publish_is_atomic_and_idempotent(two_weeks):
    validate()
    m1 = publish()
    db = paths().published_db
    reader = duckdb.connect(str(db), read_only=True)  # an analyst holding the old file open
    old_rows = reader.execute("SELECT count(*) FROM credential_demand_weekly").fetchone()[0]
    m2 = publish()
    assert {t: v["checksum"] for t, v in m1["tables"].items()} == {t: v["checksum"] for t, v in m2["tables"].items()}
    # The old reader is neither locked out nor torn: it still reads its snapshot.
    assert reader.execute("SELECT count(*) FROM credential_demand_weekly").fetchone()[0] == old_rows
    reader.close()
    con = duckdb.connect(str(db), read_only=True)
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert names == {t.name for t in published_tables()}
    comment = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'credential_demand_weekly'").fetchone()[0]
    assert "week, credential_id, soc_major, region" in comment


def test_quality_gate_fails_on_bad_share_and_keeps_published_db(two_weeks):
    validate()
    publish()
    db = paths().published_db
    before = db.read_bytes()
    con = duckdb.connect(str(paths().work_db))
    con.execute("UPDATE credential_demand_weekly SET demand_share = 1.5 WHERE week = '2026-W11' AND credential_id = 'pmp'")
    con.close()
    with pytest.raises(QualityGateFailed) as exc:
        validate()
    msg = str(exc.value)
    assert "credential_demand_weekly" in msg and "demand_share" in msg and "1.5" in msg
    assert db.read_bytes() == before


def test_quality_gate_fails_on_unknown_credential(two_weeks):
    con = duckdb.connect(str(paths().work_db))
    con.execute(
        "INSERT INTO credential_demand_weekly (week, credential_id, soc_major, region, active_postings, new_postings, mentioning_postings, "
        "new_mentioning_postings, demand_share, required_share, preferred_share, or_equivalent_share, demand_share_4wk, employers) "
        "VALUES ('2026-W11', 'not-a-credential', 'ALL', 'ALL', 5, 0, 1, 0, 0.2, 0.2, 0, 0, 0.2, 1)"
    )
    con.close()
    with pytest.raises(QualityGateFailed, match="not-a-credential"):
        validate()


def test_load_names_missing_partition(lake):
    with pytest.raises(FileNotFoundError, match="credwatch normalize --week 2026-W01"):
        load_weeks(["2026-W01"])


def test_quality_gate_floor_of_credentials_with_demand(two_weeks, monkeypatch):
    cfg = two_weeks / "config"
    q = yaml.safe_load((cfg / "quality.yml").read_text())
    q["marts"]["credential_demand_weekly"]["min_credentials_with_demand"] = 3
    (cfg / "quality.yml").write_text(yaml.safe_dump(q))
    with pytest.raises(QualityGateFailed, match="only 2 credentials have demand"):
        validate()


def test_backfill_killed_before_resaving_later_states_does_not_leave_them_in_use(lake, monkeypatch):
    """States are saved after the load commits. A backfill of an older week
    that dies between its commit and the re-save of a later week's state
    leaves that state built without the backfilled week; the next replay
    must not start from it (it would forget the backfilled postings)."""
    from transforms.dedupe import load_state
    from warehouse import dedupe_step

    cfg = lake / "config"
    shutil.copytree(REPO / "config", cfg)
    monkeypatch.setenv("CREDWATCH_CONFIG", str(cfg))
    write_partition("2026-W10", 4, [(0, "cissp", True)])
    write_partition("2026-W11", 5, [(3, "pmp", True)])
    load_weeks(["2026-W11"])
    root = dedupe_step.state_root()
    assert json.loads((root / "week=2026-W11" / "meta.json").read_text())["built_on"] == ["2026-W11"]

    real_save = dedupe_step.save_state

    def killed_on_w11(state, folder, *rest):
        if Path(folder).name == "week=2026-W11":
            raise OSError("killed")  # as a kill -9 after COMMIT: the old W11 state stays
        return real_save(state, folder, *rest)

    monkeypatch.setattr(dedupe_step, "save_state", killed_on_w11)
    with pytest.raises(OSError, match="killed"):
        load_weeks(["2026-W10"])  # the backfill: committed, then died saving W11's state
    monkeypatch.setattr(dedupe_step, "save_state", real_save)
    stale = load_state(root / "week=2026-W11")
    assert stale.last_week == "2026-W11"  # still there, built on W11 alone

    # The next weekly load (a later week) starts from W10's state and re-applies W11.
    resumed = dedupe_step.replay(["2026-W10", "2026-W11"], "2026-W12")
    assert resumed.replayed == ["2026-W11"]
    dedupe_step.clear_states()
    fresh = dedupe_step.replay(["2026-W10", "2026-W11"], "2026-W10")
    assert stale.canonicals["first_seen"].min() == "2026-W11"  # it never saw W10
    assert fresh.state.canonicals["first_seen"].min() == "2026-W10"
    assert resumed.state.canonicals.sort("canonical_id").equals(fresh.state.canonicals.sort("canonical_id"))
    assert resumed.state.members.sort("posting_key").equals(fresh.state.members.sort("posting_key"))


def test_dedupe_states_saved_in_the_background_equal_inline_ones(two_weeks, monkeypatch):
    """load_weeks saves the dedupe states on a helper thread: the states it
    leaves are the ones an inline replay writes, and a failed save fails the
    load with its error (the next load recomputes the missing state)."""
    from transforms.dedupe import load_state
    from warehouse import dedupe_step

    root = dedupe_step.state_root()
    background = {w: load_state(root / f"week={w}") for w in ("2026-W10", "2026-W11")}
    assert not list(root.glob("*.tmp"))
    dedupe_step.clear_states()
    result = dedupe_step.replay(["2026-W10", "2026-W11"], "2026-W10", background=False)
    assert result.replayed == ["2026-W10", "2026-W11"]
    for w, st in background.items():
        inline = load_state(root / f"week={w}")
        assert st.last_week == inline.last_week == w
        # Row order within a state is not part of it (every reader sorts or joins).
        assert st.canonicals.sort("canonical_id").equals(inline.canonicals.sort("canonical_id"))
        assert st.members.sort("posting_key").equals(inline.members.sort("posting_key"))

    def full_disk(state, folder, *rest):
        raise OSError(28, "No space left on device", str(folder))

    monkeypatch.setattr(dedupe_step, "save_state", full_disk)
    with pytest.raises(OSError, match="No space left"):
        load_weeks(["2026-W11"])
    monkeypatch.undo()
