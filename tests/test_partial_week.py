"""One source fails every retry: the real DAG through Airflow (`airflow dags
test`), against the snapshot web with the Lever API answering 500 to every
request of the week.

What must hold:
- the other sources' mapped scrape tasks succeed; the failing source's task
  fails after all its tries (1 + 2 retries) and stays visible as failed;
- the week's run record (lake/runs/week=<W>/sources.json) says `partial` and
  names the failed source;
- `partial_week_policy: block` (config/quality.yml): the gate fails, publish
  does not run, no database is published;
- `partial_week_policy: allow`: the same week publishes, with the failing
  source's postings missing (fewer active postings than the generator served)
  and the report DAG's summary marking it partial.

The policy is switched through a copy of config/ (CREDWATCH_CONFIG), the
retry wait is shortened with CREDWATCH_RETRY_DELAY_S (retries stay 2).
"""
from __future__ import annotations

import shutil
import sqlite3

import duckdb
import pytest
import yaml

from credwatch.demo import airflow_env, run_dag_test
from credwatch.orchestration import read_week_record, write_report
from credwatch.pipeline import sources
from credwatch.settings import ROOT, paths
from snapshot.generator import Snapshot
from snapshot.planted import CALENDAR
from snapshot.server import Fault, SnapshotServer

pytestmark = pytest.mark.e2e
WEEK = CALENDAR[2]
FAILING = "lever"
DAG_ID = "credential_demand_weekly"


def _set_policy(config_dir, policy: str) -> None:
    q = config_dir / "quality.yml"
    doc = yaml.safe_load(q.read_text())
    doc["partial_week_policy"] = policy
    q.write_text(yaml.safe_dump(doc, sort_keys=False))


def _task_states(home) -> dict[str, tuple[str, int]]:
    """{task_id[map_index]: (state, try_number)} of the DAG's latest run, read
    from the Airflow metadata database (SQLite) of `airflow dags test`."""
    con = sqlite3.connect(home / "airflow.db")
    try:
        (run_id,) = con.execute(
            "SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", [DAG_ID]
        ).fetchone()
        rows = con.execute(
            "SELECT task_id, map_index, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = ?",
            [DAG_ID, run_id],
        ).fetchall()
    finally:
        con.close()
    return {(t if m < 0 else f"{t}[{m}]"): (s, n) for t, m, s, n in rows}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run the DAG twice on one lake: first with policy block, then allow."""
    root = tmp_path_factory.mktemp("partial")
    config = root / "config"
    shutil.copytree(ROOT / "config", config)
    mp = pytest.MonkeyPatch()
    mp.setenv("CREDWATCH_CONFIG", str(config))
    mp.setenv("CREDWATCH_LAKE", str(root / "lake"))
    mp.setenv("CREDWATCH_WAREHOUSE", str(root / "warehouse"))
    mp.setenv("CREDWATCH_RETRY_DELAY_S", "1")
    home = root / "airflow"
    out = {}
    try:
        with SnapshotServer(faults={f"/{WEEK}/{FAILING}/": Fault(status=500, body=b"injected failure")}) as server:
            for policy in ("block", "allow"):
                _set_policy(config, policy)
                rc = run_dag_test([WEEK], server.url, home, airflow_env(home))
                out[policy] = {
                    "rc": rc,
                    "tasks": _task_states(home),
                    "record": read_week_record(WEEK),
                    "published": paths().published_db.exists(),
                }
        db = paths().published_db
        if db.exists():
            con = duckdb.connect(str(db), read_only=True)
            out["active"] = con.execute(
                "SELECT DISTINCT active_postings FROM credential_demand_weekly WHERE week = ? AND soc_major = 'ALL' AND region = 'ALL'", [WEEK]
            ).fetchall()
            con.close()
            out["report"] = write_report([])
        out["failing_log"] = (paths().lake / "logs" / f"scrape-{FAILING}-{WEEK}.log").read_text()
        yield out
    finally:
        mp.undo()


def _scrape_tasks(tasks: dict) -> dict:
    return {k: v for k, v in tasks.items() if k.startswith("scrape.")}


@pytest.mark.parametrize("policy", ["block", "allow"])
def test_other_sources_succeed_and_failing_source_exhausts_retries(runs, policy):
    scrape = _scrape_tasks(runs[policy]["tasks"])
    failing = {k: v for k, v in scrape.items() if k.startswith(f"scrape.{FAILING}")}
    others = {k: v for k, v in scrape.items() if k not in failing}
    assert failing and others, f"unexpected scrape tasks {scrape}"
    assert all(state == "failed" for state, _ in failing.values()), failing
    assert all(tries == 3 for _, tries in failing.values()), f"{FAILING} should fail all 3 tries: {failing}"
    assert all(state == "success" for state, _ in others.values()), others
    assert runs[policy]["tasks"]["record_sources"][0] == "success"


@pytest.mark.parametrize("policy", ["block", "allow"])
def test_week_is_recorded_partial(runs, policy):
    rec = runs[policy]["record"]
    assert rec["status"] == "partial"
    assert rec["failed_sources"] == [FAILING]
    assert set(rec["ok_sources"]) == set(rec["expected_sources"]) - {FAILING}
    assert set(rec["expected_sources"]) == set(sources())
    lever = next(s for s in rec["sources"] if s["source"] == FAILING)
    assert lever["status"] == "failed" and FAILING in lever["error"], lever
    assert "500" in runs["failing_log"], "the failing source's crawl log should show the injected 500s"


def test_block_policy_stops_publish(runs):
    tasks = runs["block"]["tasks"]
    assert tasks["validate"] == ("failed", 1), f"the gate must fail once, without retries: {tasks['validate']}"
    assert tasks["publish"][0] == "upstream_failed"
    assert not runs["block"]["published"], "a partial week was published under partial_week_policy: block"


def test_allow_policy_publishes_partial_week(runs):
    tasks = runs["allow"]["tasks"]
    assert tasks["validate"][0] == "success" and tasks["publish"][0] == "success", tasks
    assert runs["allow"]["published"]
    served = {t["active_postings"] for t in Snapshot().truth_demand([WEEK])}
    (active,) = runs["active"]
    assert 0 < active[0] < min(served), f"the published week should miss {FAILING}'s postings: {active} vs {served}"
    assert runs["report"]["partial_weeks"] == [WEEK]
    assert runs["report"]["weeks"] == 1
