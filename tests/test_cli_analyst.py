"""The analyst CLI: `credwatch query`, `top`, `gap`, and the analyst guide's SQL.

Most tests use the small published fixture of tests/analyst_fixture.py (hand
values, published with the real publish step). test_gap_on_planted_snapshot
runs the real pipeline (snapshot web → scrape → normalize → load → publish,
without Airflow) and checks the planted rising, high-premium credential
outranks the planted inflating one for a matching role.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from analyst_fixture import build_published
from credwatch.cli import build_parser, main
from credwatch.settings import paths

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "analyst-guide.md"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The fixture database, published once for the tests that only read it."""
    root = tmp_path_factory.mktemp("analyst")
    mp = pytest.MonkeyPatch()
    mp.setenv("CREDWATCH_LAKE", str(root / "lake"))
    mp.setenv("CREDWATCH_WAREHOUSE", str(root / "warehouse"))
    try:
        build_published()
        yield paths().published_db
    finally:
        mp.undo()


@pytest.fixture
def own_published(lake):
    """A fixture database of the test's own, for tests that republish or change it."""
    build_published()
    return paths().published_db


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("credwatch: report")]
    assert len(lines) == 1, f"expected one error line, got: {err!r}"
    return lines[0]


# ------------------------------------------------------------------ query


def test_query_formats(published, capsys):
    sql = "SELECT week, postings FROM dim_week ORDER BY week LIMIT 2"
    rc, out, _ = run_cli(capsys, "query", sql, "--format", "csv")
    assert rc == 0
    assert out.splitlines() == ["week,postings", "2026-W37,1000", "2026-W38,1000"]
    rc, out, _ = run_cli(capsys, "query", sql, "--format", "json")
    assert rc == 0 and json.loads(out) == [{"week": "2026-W37", "postings": 1000}, {"week": "2026-W38", "postings": 1000}]
    rc, out, _ = run_cli(capsys, "query", "WITH t AS (" + sql + ") SELECT count(*) AS n FROM t")
    assert rc == 0 and "n" in out and "2" in out and "1 row(s)" in out


@pytest.mark.parametrize("sql", [
    "INSERT INTO dim_week VALUES ('2030-W01', DATE '2030-01-01', DATE '2030-01-07', 1)",
    "DELETE FROM dim_week",
    "CREATE TABLE x AS SELECT 1",
    "COPY dim_week TO '/tmp/credwatch-should-not-exist.csv'",
    "ATTACH '/tmp/other.duckdb' AS other",
    "SET threads = 1",
    "SELECT 1; DROP TABLE dim_week",
])
def test_query_refuses_writes(published, capsys, sql):
    rc, out, err = run_cli(capsys, "query", sql)
    assert rc != 0 and out == ""
    line = one_line_error(err)
    assert "read-only" in line or "one SQL statement" in line
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("SELECT count(*) FROM dim_week").fetchone()[0] == 6
    con.close()
    assert not Path("/tmp/credwatch-should-not-exist.csv").exists()


@pytest.mark.parametrize("sql, says", [
    ("SELEC week FROM dim_week", "does not parse"),
    ("SELECT nope FROM dim_week", "query failed"),
    ("SELECT * FROM no_such_table", "query failed"),
    ("   ", "empty query"),
])
def test_query_bad_sql_is_one_clear_line(published, capsys, sql, says):
    rc, _, err = run_cli(capsys, "query", sql)
    assert rc == 2
    assert says in one_line_error(err)


def test_missing_database_says_what_to_do(lake, capsys):
    for argv in (["query", "SELECT 1"], ["top"], ["gap", "--role", "Data Engineer"], ["report"]):
        rc, _, err = run_cli(capsys, *argv)
        assert rc == 2, argv
        line = one_line_error(err)
        assert "no published database" in line and "make demo" in line, line


def test_query_never_blocks_a_refresh(own_published):
    """A reader holding the published database open does not block publish; it
    keeps its consistent snapshot, and the next query sees the new week."""
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys
            from credwatch.query import connect, execute
            with connect() as con:
                print("open", flush=True)
                sys.stdin.readline()
                print(execute(con, "SELECT count(*), max(week) FROM dim_week")[1][0], flush=True)
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        cwd=REPO,
    )
    try:
        assert reader.stdout.readline().strip() == "open", reader.stderr.read()
        extra = {"dim_week": [{"week": "2026-W43", "week_start": dt.date(2026, 10, 19),
                               "week_end": dt.date(2026, 10, 25), "postings": 900}]}
        manifest = build_published(extra)  # publishes while the reader is open
        assert manifest["weeks"][-1] == "2026-W43"
        out, err = reader.communicate("go\n", timeout=60)
        assert reader.returncode == 0, err
        assert out.strip() == "(6, '2026-W42')"  # the snapshot it opened, whole
    finally:
        if reader.poll() is None:
            reader.kill()
    from credwatch.query import run_query

    assert run_query("SELECT count(*), max(week) FROM dim_week")[1] == [(7, "2026-W43")]


def test_query_entry_point_exit_code(published):
    """The installed `credwatch` script exits non-zero with one stderr line."""
    exe = Path(sys.executable).with_name("credwatch")
    proc = subprocess.run([str(exe), "query", "DROP TABLE dim_week"], capture_output=True, text=True, env=dict(os.environ))
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_line_error(proc.stderr).startswith("credwatch query: refused")


# ------------------------------------------------------------------ top


def test_top_ranks_with_trend_arrows(published, capsys):
    rc, out, _ = run_cli(capsys, "top", "--occupation", "15", "--weeks", "12", "--format", "json")
    assert rc == 0
    res = json.loads(out)
    creds = {c["id"]: c for c in res["credentials"]}
    assert [c["id"] for c in res["credentials"]][:2] == ["aws-saa", "google-data-analytics"]
    assert creds["aws-saa"]["trend"] == "▲" and creds["aws-saa"]["change_pp"] == pytest.approx(2.0)
    assert creds["pmp"]["trend"] == "▼" and creds["pmp"]["change_pp"] == pytest.approx(-3.0)
    assert creds["comptia-security-plus"]["trend"] == "▶"
    assert [s["name"] for s in res["skills"]][:2] == ["Python", "SQL"]  # tie broken by id
    rc, out, _ = run_cli(capsys, "top", "--occupation", "Software Developer", "--region", "us")
    assert rc == 0 and "Software Developers" in out and "▲" in out and "top skills" in out


def test_top_unknown_cell_is_one_line(published, capsys):
    rc, _, err = run_cli(capsys, "top", "--occupation", "15", "--region", "ZZ")
    assert rc == 2 and "--region ALL" in one_line_error(err)


# ------------------------------------------------------------------ gap


def test_gap_on_fixture(published, capsys):
    rc, out, _ = run_cli(capsys, "gap", "--role", "Cloud Engineer", "--have", "SQL, AWS", "--format", "json")
    assert rc == 0
    res = json.loads(out)
    assert res["soc_major"] == "15" and res["notes"] == []
    recs = {r["credential_id"]: (i, r) for i, r in enumerate(res["recommendations"])}
    (i_saa, saa), (i_gda, gda) = recs["aws-saa"], recs["google-data-analytics"]
    assert i_saa == 0 and i_gda > i_saa
    # aws-saa: premium from its SOC 15 cell with the interval; skills the person has are not "added"
    assert (saa["premium_pct"], saa["premium_low_pct"], saa["premium_high_pct"]) == (15.0, 9.0, 21.0)
    assert saa["premium_scope"].startswith("SOC 15")
    assert saa["skills_had"] == ["Amazon Web Services"] and "Cloud architecture" in saa["skills_added"]
    assert saa["stacks_into"] == ["AWS Certified Solutions Architect – Professional"]
    assert (saa["providers"], saa["median_price_usd"], saa["median_hours"]) == (2, 49.0, 20.0)
    assert saa["employers"] == 12 and saa["growth_pp"] == pytest.approx(2.0) and saa["inflating"] is False
    # google-data-analytics: suppressed in the cell → the pooled row; inflating with its reasons
    assert gda["premium_pct"] == 1.0 and gda["premium_scope"] == "all occupations pooled"
    assert gda["inflating"] is True and "supply +50 %" in gda["inflation_reasons"]
    assert "SQL" in gda["skills_had"] and "Tableau" in gda["skills_added"]
    assert gda["why"].startswith("⚠ inflating") and "pays +1%" in gda["why"]
    # no weekly premium at all: the inflation window's pooled premium, without an interval
    _, sec = recs["comptia-security-plus"]
    assert (sec["premium_pct"], sec["premium_low_pct"]) == (9.5, None)
    assert sec["premium_scope"] == "all occupations pooled over 2026-W40..2026-W42"
    assert "pays +15% [+9%, +21%]" in saa["why"] and "leads to AWS Certified Solutions Architect – Professional" in saa["why"]
    # the table view: one why line per recommendation
    rc, out, _ = run_cli(capsys, "gap", "--role", "15-1252", "--have", "SQL")
    assert rc == 0
    assert re.search(r"^1\. AWS Certified Solutions Architect – Associate: asked for by 5\.0% of SOC 15", out, re.M)


def test_gap_unknown_role_is_one_line(published, capsys):
    rc, out, err = run_cli(capsys, "gap", "--role", "Xqzzyv Blorf")
    assert rc == 2 and out == ""
    line = one_line_error(err)
    assert "cannot match role 'Xqzzyv Blorf'" in line and "SOC code" in line
    rc, _, err = run_cli(capsys, "gap", "--role", "98")
    assert rc == 2 and "SOC major group '98' does not exist" in one_line_error(err)


def test_gap_without_the_newer_marts_says_so(lake, capsys):
    """Only the demand marts published: gap still ranks, and notes what is missing."""
    build_published()
    con = duckdb.connect(str(paths().published_db))
    for t in ("credential_value_weekly", "credential_inflation", "skill_credential_cooccurrence"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    con.close()
    rc, out, _ = run_cli(capsys, "gap", "--role", "Data Engineer", "--format", "json")
    assert rc == 0
    res = json.loads(out)
    assert res["recommendations"][0]["premium_pct"] is None
    assert any("credential_value_weekly is not published yet" in n for n in res["notes"])
    assert any("credential_inflation is not published yet" in n for n in res["notes"])


# ------------------------------------------------------------------ help


def test_help_explains_every_option():
    ap = build_parser()
    sub = next(a for a in ap._actions if a.__class__.__name__ == "_SubParsersAction")
    for cmd in ("query", "top", "gap", "report"):
        p = sub.choices[cmd]
        assert p.description and len(p.description) > 60, cmd
        for action in p._actions:
            if action.dest == "help":
                continue
            assert action.help and len(action.help) > 10, f"{cmd} {action.option_strings or action.dest} has no help"


# ------------------------------------------------------------------ analyst guide


def guide_queries() -> list[tuple[str, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    out, title = [], None
    for m in re.finditer(r"^### ([^\n]+)$|```sql\n(.*?)```", text, re.M | re.S):
        if m.group(1):
            title = m.group(1)
        else:
            out.append((title, m.group(2)))
    return out


def test_guide_has_ten_queries():
    assert len(guide_queries()) == 10


@pytest.mark.parametrize("title, sql", guide_queries(), ids=[t.split(".")[0] for t, _ in guide_queries()])
def test_guide_query_returns_rows(published, title, sql):
    from credwatch.query import run_query

    cols, rows = run_query(sql)
    assert rows, f"{title}: no rows"
    assert all(c for c in cols)


def test_guide_parquet_example_reads_the_exports(published):
    exports = paths().warehouse / "exports"
    assert (exports / "credential_demand_weekly" / "week=2026-W42").is_dir()
    n = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{exports}/credential_demand_weekly/*/*.parquet', hive_partitioning = true) "
        "WHERE soc_major = 'ALL' AND region = 'ALL'"
    ).fetchone()[0]
    assert n == 36  # 6 credentials x 6 weeks


# ------------------------------------------------------------------ planted truth


@pytest.mark.e2e
def test_gap_on_planted_snapshot(tmp_path_factory):
    """The real pipeline over the offline snapshot (8 weeks, no Airflow): for a
    data/cloud role the planted rising credential with a +15 % premium
    (aws-saa) ranks above the planted inflating one (google-data-analytics)."""
    from snapshot.planted import CALENDAR, PLANTED

    root = tmp_path_factory.mktemp("planted")
    mp = pytest.MonkeyPatch()
    mp.setenv("CREDWATCH_LAKE", str(root / "lake"))
    mp.setenv("CREDWATCH_WAREHOUSE", str(root / "warehouse"))
    try:
        weeks = CALENDAR[:4] + CALENDAR[-4:]
        publish_snapshot(weeks)
        from credwatch.advisor import gap

        for role in ("Data Engineer", "Cloud Engineer"):
            res = gap(role, "SQL, Python", weeks=len(CALENDAR), limit=100)
            ids = [r["credential_id"] for r in res["recommendations"]]
            rising, inflating = PLANTED["rising"], PLANTED["inflating"]
            assert rising in ids and inflating in ids, (role, ids[:10])
            assert ids.index(rising) < ids.index(inflating), (role, res["recommendations"][:3])
            top = res["recommendations"][ids.index(rising)]
            assert top["growth_pp"] > 0 and top["trend"] == "▲"
    finally:
        mp.undo()


def publish_snapshot(weeks: list[str]) -> None:
    """snapshot web → scrape → normalize → load → publish, as `credwatch run`
    does minus the quality gate (not under test here)."""
    from credwatch import pipeline
    from credwatch.orchestration import record_weeks, scrape_source
    from snapshot.server import SnapshotServer

    with SnapshotServer() as server:
        for source in pipeline.sources():
            scrape_source(source, weeks, server.url)
    record_weeks(weeks)
    for w in weeks:
        pipeline.normalize(w)
    pipeline.load(weeks)
    pipeline.publish()
