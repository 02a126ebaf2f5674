"""`credwatch backfill`: rebuild weeks from the lake, byte-identical to the first build."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from credwatch import pipeline
from credwatch.cli import build_parser, main
from credwatch.orchestration import record_weeks
from credwatch.settings import paths
from test_source_health import config_with, write_raw
from warehouse.models import published_tables
from warehouse.publish import table_checksum

WEEKS = ["2026-W20", "2026-W21", "2026-W22"]
# Posting 1 drops out in the middle week and comes back: the middle week's marts
# depend on later weeks, the case a careless backfill gets wrong.
IDS = {"2026-W20": ["1", "2", "3"], "2026-W21": ["2", "3", "4"], "2026-W22": ["1", "4", "5"]}


def published_checksums() -> dict[str, str]:
    con = duckdb.connect(str(paths().published_db), read_only=True)
    try:
        return {t.name: table_checksum(con, t.name) for t in published_tables()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Three weeks built once for the module (normalize costs seconds per week);
    the test that deletes a raw partition runs last."""
    lake = tmp_path_factory.mktemp("backfill")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDWATCH_LAKE", str(lake / "lake"))
        mp.setenv("CREDWATCH_WAREHOUSE", str(lake / "warehouse"))
        # Tiny weeks: demand for few credentials; everything else as shipped.
        mp.setenv("CREDWATCH_CONFIG", str(config_with(
            lake, ["greenhouse"], marts={"credential_demand_weekly.min_credentials_with_demand": 1})))
        for w in WEEKS:
            write_raw("greenhouse", w, IDS[w], text="CISSP required. PMP preferred.")
        record_weeks(WEEKS)
        first = pipeline.backfill(WEEKS)
        assert first["load"]["postings_by_week"] == {w: 3 for w in WEEKS}
        yield published_checksums()


def test_backfill_middle_week_and_rerun_are_byte_identical(built):
    con = duckdb.connect(str(paths().published_db), read_only=True)
    lineage = dict(con.execute("SELECT source_id, weeks_seen FROM posting_lineage").fetchall())
    health = con.execute("SELECT week, postings_listed, new_postings FROM source_health_weekly ORDER BY week").fetchall()
    con.close()
    assert lineage == {"1": 2, "2": 2, "3": 2, "4": 2, "5": 1}
    assert health == [("2026-W20", 3, 3), ("2026-W21", 3, 1), ("2026-W22", 3, 1)]
    assert "source_health_weekly" in built and "posting_lineage" in built
    out = pipeline.backfill(["2026-W21"])
    assert out["load"]["marts_rebuilt"] == ["2026-W21", "2026-W22"]  # the week and what depends on it
    assert published_checksums() == built
    pipeline.backfill(["2026-W21"])  # rerun: identical again
    assert published_checksums() == built
    # posting_lineage is refreshed incrementally (94_posting_lineage.sql): after the
    # backfills it still equals the whole join of the dedupe tables, row for row.
    work = duckdb.connect(str(paths().work_db), read_only=True)
    full = """SELECT s.posting_key, s.source, s.source_id, s.canonical_id, s.link, s.similarity, s.first_seen,
                     s.last_seen, s.weeks_seen, c.first_seen, c.last_seen, c.n_members
              FROM int_source_postings s JOIN int_canonical_postings c USING (canonical_id)"""
    stale = work.execute(f"SELECT count(*) FROM (SELECT * FROM posting_lineage EXCEPT ALL ({full}))").fetchone()[0]
    missing = work.execute(f"SELECT count(*) FROM (({full}) EXCEPT ALL SELECT * FROM posting_lineage)").fetchone()[0]
    rows = work.execute("SELECT count(*) FROM posting_lineage").fetchone()[0]
    work.close()
    assert (stale, missing, rows) == (0, 0, 5)


def test_backfill_help_explains_every_option():
    sub = next(a for a in build_parser()._actions if a.dest == "cmd").choices["backfill"]
    options = [a for a in sub._actions if a.option_strings and a.dest != "help"]
    assert {o.option_strings[0] for o in options} == {"--week", "--from", "--to", "--rescrape", "--snapshot-url"}
    for o in options:
        assert o.help and len(o.help) > 15, o.option_strings
    text = sub.format_help()
    assert "missing raw partition" in text


def test_week_without_any_raw_partition_is_reported(lake):
    with pytest.raises(FileNotFoundError, match=r"source=greenhouse[/\\]week=2030-W01.*no job source has a raw partition"):
        pipeline.backfill(["2030-W01"])


def test_missing_raw_partition_is_named_with_the_fix(built, capsys):
    gone = paths().raw_partition("greenhouse", "2026-W21")
    shutil.rmtree(gone)
    with pytest.raises(FileNotFoundError) as err:
        pipeline.backfill(["2026-W21"])
    assert str(gone) in str(err.value) and "--rescrape" in str(err.value)
    assert main(["backfill", "--from", "2026-W21", "--to", "2026-W22"]) == 2
    msg = capsys.readouterr().err
    assert msg.startswith("credwatch backfill: ") and str(gone) in msg and "--rescrape" in msg
    assert published_checksums() == built  # nothing was published
