"""Publishing never blocks or tears readers, survives kill -9, and exports Parquet."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import polars as pl
import pytest

from conftest import REPO
from credwatch.settings import paths
from test_warehouse import two_weeks  # noqa: F401  (fixture)
from warehouse.publish import publish


def _reader(db: str, stop, reads, out) -> None:
    """An analyst querying in a loop until told to stop: counts errors and torn views."""
    errors = torn = 0
    while not stop.is_set():
        try:
            con = duckdb.connect(db, read_only=True)
            weeks = con.execute("SELECT count(*) FROM dim_week").fetchone()[0]
            n_cred = con.execute("SELECT count(*) FROM dim_credential").fetchone()[0]
            # Every credential has one ALL x ALL row per week (other cells vary with the data).
            rows, mart_weeks = con.execute(
                "SELECT count(*) FILTER (WHERE soc_major = 'ALL' AND region = 'ALL'), count(DISTINCT week) FROM credential_demand_weekly"
            ).fetchone()
            con.close()
            with reads.get_lock():
                reads.value += 1
            if mart_weeks != weeks or rows != weeks * n_cred:
                torn += 1
        except Exception as exc:  # any error a reader sees is a failure of publish
            errors += 1
            out.put(repr(exc))
    out.put({"reads": reads.value, "errors": errors, "torn": torn})


def test_concurrent_reader_never_errors_nor_sees_a_mix(two_weeks):
    """Publishes alternate between a 2-week and a 1-week state while a reader
    loops; runs until both sides did enough work (not for a fixed time, so a
    loaded machine only makes it slower)."""
    from warehouse.load import load_weeks

    publish(export_parquet=False)
    db = str(paths().published_db)
    ctx = mp.get_context("spawn")
    q, stop, reads = ctx.Queue(), ctx.Event(), ctx.Value("i", 0)
    reader = ctx.Process(target=_reader, args=(db, stop, reads, q))
    reader.start()
    work = paths().work_db
    publishes = 0
    deadline = time.monotonic() + 300
    try:
        while (publishes < 8 or reads.value < 30) and time.monotonic() < deadline:
            if publishes % 2 == 0:
                con = duckdb.connect(str(work))
                con.execute("DELETE FROM credential_demand_weekly WHERE week = '2026-W11'")
                con.execute("DELETE FROM dim_week WHERE week = '2026-W11'")
                con.close()
            else:
                load_weeks(["2026-W11"])
            publish(export_parquet=False)
            publishes += 1
    finally:
        stop.set()
        reader.join(60)
    results = []
    while not q.empty():
        results.append(q.get())
    stats = results[-1]
    assert isinstance(stats, dict), results
    assert publishes >= 8 and stats["reads"] >= 30, f"not enough overlap: {publishes} publishes, {stats}"
    assert stats["errors"] == 0, results
    assert stats["torn"] == 0


CHILD = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {repo!r})
    import warehouse.publish as p
    stage = {stage!r}
    if stage == "before_swap":
        real = os.replace
        def hang(*a, **k):
            print("READY", flush=True); time.sleep(600)
        p.os.replace = hang
    else:
        real_build = p._build
        def hang_build(tmp, *rest):
            import duckdb
            con = duckdb.connect(str(tmp)); con.execute("CREATE TABLE half AS SELECT 1 AS x"); con.close()
            print("READY", flush=True); time.sleep(600)
        p._build = hang_build
    p.publish()
    """
)


@pytest.mark.parametrize("stage", ["during_build", "before_swap"])
def test_sigkill_mid_publish_keeps_old_database(two_weeks, stage):
    first = publish()
    db = paths().published_db
    before = db.read_bytes()
    env = dict(os.environ)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(repo=str(REPO), stage=stage)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert child.stdout.readline().strip() == "READY", child.stderr.read()
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert db.read_bytes() == before  # untouched, readable
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM dim_week").fetchone()[0] == 2
    con.close()
    second = publish()  # the next run succeeds and cleans the dead run's temporaries
    assert {t: v["checksum"] for t, v in first["tables"].items()} == {t: v["checksum"] for t, v in second["tables"].items()}
    assert not list(db.parent.glob(".credwatch.duckdb.tmp-*"))


def test_parquet_exports_hive_partitioned_by_week(two_weeks):
    publish()
    exports = paths().published_db.parent / "exports"
    parts = sorted(p.name for p in (exports / "credential_demand_weekly").iterdir())
    assert parts == ["week=2026-W10", "week=2026-W11"]
    df = pl.read_parquet(exports / "credential_demand_weekly" / "**" / "*.parquet", hive_partitioning=True)
    con = duckdb.connect(str(paths().published_db), read_only=True)
    assert df.height == con.execute("SELECT count(*) FROM credential_demand_weekly").fetchone()[0]
    assert (exports / "dim_credential.parquet").exists()


def _exports_equal_tables(exports, db) -> None:
    """Every published table reads back from its Parquet export row for row."""
    from warehouse.models import published_tables

    con = duckdb.connect(str(db), read_only=True)
    for t in published_tables():
        cols = ", ".join(f'"{c}"' for c, *_ in con.execute(f'DESCRIBE "{t.name}"').fetchall())
        single = exports / f"{t.name}.parquet"
        src = (f"read_parquet('{single}')" if single.exists()
               else f"read_parquet('{exports / t.name}/*/*.parquet', hive_partitioning = true, hive_types_autocast = false)")
        n_db = con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
        if n_db == 0 and not single.exists():
            assert not any((exports / t.name).iterdir()), t.name
            continue
        diff = con.execute(f'SELECT count(*) FROM ((SELECT {cols} FROM "{t.name}" EXCEPT ALL SELECT {cols} FROM {src}) '
                           f'UNION ALL (SELECT {cols} FROM {src} EXCEPT ALL SELECT {cols} FROM "{t.name}"))').fetchone()[0]
        assert diff == 0, t.name
    con.close()


def test_export_rewrites_only_changed_partitions(two_weeks):
    """A republish after week 2026-W11 changed hard-links the unchanged
    partitions (same inode) and writes the changed ones; the exports equal the
    tables either way, and lineage is partitioned by canonical_last_seen."""
    from test_warehouse import write_partition
    from warehouse.load import load_weeks

    publish()
    exports = paths().published_db.parent / "exports"
    _exports_equal_tables(exports, paths().published_db)
    # The fixture's postings are listed again in week 2: their lineage rows all sit there.
    assert sorted(p.name for p in (exports / "posting_lineage").iterdir()) == ["canonical_last_seen=2026-W11"]

    def inode(table, week):
        (f,) = (exports / table / f"week={week}").glob("*.parquet")
        return f.stat().st_ino

    before = {w: inode("credential_demand_weekly", w) for w in ("2026-W10", "2026-W11")}
    unchanged = publish()  # nothing changed: every partition reused
    partitioned = {t: v for t, v in unchanged["export_partitions"].items() if not (exports / f"{t}.parquet").exists()}
    assert partitioned and all(v["written"] == 0 for v in partitioned.values())
    assert unchanged["export_partitions"]["credential_demand_weekly"] == {"written": 0, "reused": 2}
    assert {w: inode("credential_demand_weekly", w) for w in before} == before

    # Week 2 again with another ask: its partitions change, week 1's do not.
    write_partition("2026-W11", 5, [(0, "cissp", True), (1, "cissp", True), (3, "pmp", True), (4, "pmp", True)])
    load_weeks(["2026-W11"])
    second = publish()
    assert second["export_partitions"]["credential_demand_weekly"] == {"written": 1, "reused": 1}
    assert inode("credential_demand_weekly", "2026-W10") == before["2026-W10"]
    assert inode("credential_demand_weekly", "2026-W11") != before["2026-W11"]
    _exports_equal_tables(exports, paths().published_db)

    # An export folder without its index (or from an older version) is rewritten whole.
    (exports / "_partitions.json").unlink()
    third = publish()
    assert third["export_partitions"]["credential_demand_weekly"] == {"written": 2, "reused": 0}
    _exports_equal_tables(exports, paths().published_db)


def _published_contents(db) -> dict:
    """Every published table's rows, sorted: what analysts can see."""
    from warehouse.models import published_tables

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t.name: sorted(con.execute(f'SELECT * FROM "{t.name}"').fetchall(), key=repr) for t in published_tables()}
    finally:
        con.close()


def test_republish_updates_a_copy_of_the_previous_file(two_weeks, monkeypatch):
    """After a full build, a republish copies the published file and replaces
    only what changed: unchanged tables are kept, a changed week's partitions
    are replaced, and the result equals a full build of the same work
    database, row for row. A schema change or the FULL_BUILD_EVERY cadence
    forces a full build."""
    import json

    import warehouse.publish as P
    from test_warehouse import write_partition
    from warehouse.load import load_weeks

    first = publish(export_parquet=False)
    assert first["build"] == "full" and first["updates_since_full"] == 0
    db = paths().published_db
    same = publish(export_parquet=False)
    assert same["build"] == "incremental" and same["updates_since_full"] == 1
    assert {t: v["publish"] for t, v in same["tables"].items()} == {t: "kept" for t in same["tables"]}
    assert {t: v["checksum"] for t, v in same["tables"].items()} == {t: v["checksum"] for t, v in first["tables"].items()}

    # Week 2 again with another ask: its partitions change, week 1's do not.
    write_partition("2026-W11", 5, [(0, "cissp", True), (1, "cissp", True), (3, "pmp", True), (4, "pmp", True)])
    load_weeks(["2026-W11"])
    updated = publish(export_parquet=False)
    assert updated["build"] == "incremental"
    acts = {t: v["publish"] for t, v in updated["tables"].items()}
    assert acts["credential_demand_weekly"] == "1 of 2 week partitions replaced"
    assert acts["dim_credential"] == "kept"
    assert {t for t, a in acts.items() if a != "kept"} == {"credential_demand_weekly", "credential_value_weekly"}
    incremental_rows = _published_contents(db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT mentioning_postings FROM credential_demand_weekly WHERE week = '2026-W11' AND credential_id = 'cissp' "
                       "AND soc_major = 'ALL' AND region = 'ALL'").fetchone()[0] == 2
    con.close()

    # The same work database built from scratch: the same rows, the same checksums.
    manifest = db.parent / "credwatch.publish.json"
    m = json.loads(manifest.read_text())
    m["schema_signature"] = "another layout"
    manifest.write_text(json.dumps(m))
    full = publish(export_parquet=False)
    assert full["build"] == "full" and full["updates_since_full"] == 0
    assert {t: v["checksum"] for t, v in full["tables"].items()} == {t: v["checksum"] for t, v in updated["tables"].items()}
    assert _published_contents(db) == incremental_rows

    monkeypatch.setattr(P, "FULL_BUILD_EVERY", 3)
    assert [publish(export_parquet=False)["build"] for _ in range(4)] == ["incremental", "incremental", "full", "incremental"]


def test_a_stale_export_index_never_publishes_a_wrong_table(two_weeks):
    """A republish takes the old file's partition checksums from the export
    index its publish recorded. When a publish died after swapping the
    database in and before swapping the exports, the exports (and their
    index) are one publish older than the file. That must cost only time:
    here the index says week 2026-W11 holds what work holds while the file
    holds another week 2, and the result still equals work."""
    import shutil as sh

    from test_warehouse import write_partition
    from warehouse.load import load_weeks
    from warehouse.publish import table_checksum

    publish()
    exports = paths().published_db.parent / "exports"
    older = exports.parent / "exports-older"
    sh.copytree(exports, older)  # the fixture's week 2, files and index
    write_partition("2026-W11", 5, [(0, "cissp", True), (1, "cissp", True), (3, "pmp", True), (4, "pmp", True)])
    load_weeks(["2026-W11"])
    publish()  # the file now holds the new week 2 ...
    sh.rmtree(exports)
    older.rename(exports)  # ... and the exports are those of the publish before (it died in between)
    write_partition("2026-W11", 5, [(0, "cissp", True), (3, "pmp", True), (4, "pmp", True)])
    load_weeks(["2026-W11"])  # work is back to the fixture's week 2, which the index claims the file holds
    out = publish()
    assert out["build"] == "incremental"
    assert out["tables"]["credential_demand_weekly"]["publish"] == "1 of 2 week partitions replaced"
    work = duckdb.connect(str(paths().work_db), read_only=True)
    want = {t: table_checksum(work, t) for t in out["tables"]}
    work.close()
    pub = duckdb.connect(str(paths().published_db), read_only=True)
    assert {t: table_checksum(pub, t) for t in out["tables"]} == want
    pub.close()
    assert {t: v["checksum"] for t, v in out["tables"].items()} == want
    _exports_equal_tables(exports, paths().published_db)


def test_table_checksum_is_order_free_and_sees_every_value():
    """Equal contents give equal checksums in any order; one changed value, one
    repeated row, a last-bit float difference or a renamed column do not."""
    from warehouse.publish import table_checksum

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE a AS SELECT range AS id, range * 0.1::DOUBLE AS x, [range, 1] AS l, "
        "CASE WHEN range % 3 = 0 THEN NULL ELSE 'v' || range END AS s FROM range(5000)"
    )
    con.execute("CREATE TABLE b AS SELECT * FROM a ORDER BY hash(id)")  # same rows, another order
    assert table_checksum(con, "a") == table_checksum(con, "b")
    base = table_checksum(con, "a")

    con.execute("UPDATE b SET x = nextafter(x, 1e9) WHERE id = 4321")  # one ulp
    assert table_checksum(con, "b") != base
    con.execute("CREATE OR REPLACE TABLE b AS SELECT * FROM a UNION ALL SELECT * FROM a WHERE id = 7")
    assert table_checksum(con, "b") != base
    con.execute("CREATE OR REPLACE TABLE b AS SELECT * FROM a WHERE id <> 7")
    assert table_checksum(con, "b") != base
    con.execute("CREATE OR REPLACE TABLE b AS SELECT id, x, l, s AS s2 FROM a")
    assert table_checksum(con, "b") != base
    con.execute("CREATE TABLE e (id INTEGER)")
    assert table_checksum(con, "e") == table_checksum(con, "e")  # an empty table has a checksum too
