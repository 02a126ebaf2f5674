"""DAG integrity: every DAG file imports in a DagBag without errors and fast,
uses Airflow 3 idioms only, declares owner, retries, tags and docs, has no
cycles, and only names pools that config/pools.yml creates. Also the
scheduling contract: which week a scheduled run processes, the marts Asset
between the weekly and the report DAG, and the pools of writers and crawlers.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"
DAG_FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))
AIRFLOW2_IDIOMS = [r"airflow\.decorators", r"execution_date", r"schedule_interval", r"\bDataset\b", r"airflow\.models\.dag import"]
HEAVY = ("polars", "duckdb", "great_expectations", "scrapy", "pandas", "pyarrow", "transforms", "warehouse", "expectations", "scrapers")
PARSE_BUDGET_S = 1.0
WRITERS = ("load", "validate", "publish")


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def pools():
    from credwatch.orchestration import pools

    return pools()


def test_there_are_dag_files():
    assert {p.name for p in DAG_FILES} >= {"credential_demand_weekly.py", "catalog_refresh.py", "credwatch_report.py"}


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_imports_without_errors(dagbag, path):
    errors = {k: v for k, v in dagbag.import_errors.items() if Path(k).name == path.name}
    assert not errors, errors
    assert any(Path(d.fileloc).name == path.name for d in dagbag.dags.values()), f"{path.name} defines no DAG"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_no_airflow2_idioms(path):
    text = path.read_text()
    for pattern in AIRFLOW2_IDIOMS:
        assert not re.search(pattern, text), f"{path.name} uses Airflow 2 idiom {pattern!r}"
    assert "from airflow.sdk import" in text


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_no_heavy_imports_at_top_level(path):
    top = [l for l in path.read_text().splitlines() if l.startswith(("import ", "from "))]
    for heavy in HEAVY:
        assert not any(re.search(rf"\b{heavy}\b", l) for l in top), f"{path.name} imports {heavy} at top level"


_PARSE_PROBE = """
import importlib.util, json, sys, time
import airflow.sdk  # the DAG processor has Airflow loaded before it parses a file
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("dag_under_test", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
seconds = time.perf_counter() - t0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2].split(","))
print(json.dumps({"seconds": seconds, "heavy": heavy}))
"""


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_parses_fast_without_heavy_modules(path, tmp_path):
    """Executing the DAG file (its own imports included, Airflow excluded)
    takes < 1 s in a fresh interpreter and loads no heavy library, not even
    indirectly through credwatch modules."""
    env = {"AIRFLOW_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _PARSE_PROBE, str(path), ",".join(HEAVY)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not got["heavy"], f"{path.name} loads heavy modules at parse time: {got['heavy']}"
    assert got["seconds"] < PARSE_BUDGET_S, f"{path.name} took {got['seconds']:.2f} s to parse (budget {PARSE_BUDGET_S} s)"


def test_dag_defaults(dagbag):
    dags = list(dagbag.dags.values())
    assert dags
    for dag in dags:
        assert dag.tags and "credwatch" in dag.tags, f"{dag.dag_id} has no credwatch tag"
        assert dag.doc_md and len(dag.doc_md) > 200, f"{dag.dag_id} has no real doc_md"
        assert dag.catchup is False, f"{dag.dag_id}: catchup must be set explicitly (False; history via backfill)"
        for t in dag.tasks:
            assert t.retries >= 2, f"{dag.dag_id}.{t.task_id} retries {t.retries} < 2"
            assert t.retry_exponential_backoff, f"{dag.dag_id}.{t.task_id} retries without backoff"
            assert t.execution_timeout is not None, f"{dag.dag_id}.{t.task_id} has no execution_timeout"
            assert t.owner and t.owner != "airflow", f"{dag.dag_id}.{t.task_id} has no owner"


def test_no_cycles(dagbag):
    for dag in dagbag.dags.values():
        state: dict[str, int] = {}

        def visit(task_id: str, path: tuple[str, ...]) -> None:
            if state.get(task_id) == 1:
                raise AssertionError(f"{dag.dag_id} has a cycle: {' -> '.join(path + (task_id,))}")
            if state.get(task_id) == 2:
                return
            state[task_id] = 1
            for down in dag.get_task(task_id).downstream_task_ids:
                visit(down, path + (task_id,))
            state[task_id] = 2

        for t in dag.tasks:
            visit(t.task_id, ())


def test_every_pool_exists_in_the_pools_file(dagbag, pools):
    for dag in dagbag.dags.values():
        for t in dag.tasks:
            assert t.pool == "default_pool" or t.pool in pools, (f"{dag.dag_id}.{t.task_id} uses pool {t.pool!r}, which config/pools.yml "
                                     f"(plus the crawl pools of config/sources.yml) does not create: {sorted(pools)}")
    assert pools["duckdb_writer"]["slots"] == 1


def test_every_domain_group_has_its_crawl_pool(pools):
    from credwatch.orchestration import crawl_pool, domain_groups

    for group in domain_groups("all"):
        assert crawl_pool(group) in pools


def test_weekly_dag_shape(dagbag):
    from credwatch.orchestration import crawl_pool, domain_groups, group_task_id

    dag = dagbag.dags["credential_demand_weekly"]
    ids = {t.task_id for t in dag.tasks}
    assert ids >= {"plan_weeks", "record_sources", "normalize", "load", "validate", "publish"}
    groups = domain_groups("all")
    scrape = {f"scrape.{group_task_id(g)}": g for g in groups}
    assert {i for i in ids if i.startswith("scrape.")} == set(scrape)
    for task_id, group in scrape.items():
        t = dag.get_task(task_id)
        assert t.pool == crawl_pool(group)
        assert type(t).__name__.endswith("MappedOperator"), f"{task_id} is not dynamically mapped over sources"
    record = dag.get_task("record_sources")
    assert record.trigger_rule == "all_done", "a failed source must not stop the run record and the rest of the run"
    assert set(scrape) <= record.upstream_task_ids
    assert dag.get_task("normalize").upstream_task_ids == {"record_sources", "plan_weeks"}
    assert dag.get_task("validate").upstream_task_ids == {"load"}
    assert dag.get_task("publish").upstream_task_ids == {"validate", "plan_weeks"}
    for writer in WRITERS:
        assert dag.get_task(writer).pool == "duckdb_writer", f"{writer} writes DuckDB outside the one-slot pool"


def test_catalog_dag_shape(dagbag):
    from credwatch.orchestration import domain_groups, group_task_id

    dag = dagbag.dags["catalog_refresh"]
    scrape = {f"scrape.{group_task_id(g)}" for g in domain_groups("catalog")}
    assert scrape and scrape <= {t.task_id for t in dag.tasks}
    assert dag.get_task("record_catalogs").trigger_rule == "all_done"
    assert [a.name for a in dag.get_task("record_catalogs").outlets] == ["credwatch_raw_catalogs"]


def test_report_dag_is_triggered_by_the_marts_asset(dagbag):
    weekly, report = dagbag.dags["credential_demand_weekly"], dagbag.dags["credwatch_report"]
    produced = {a.uri for a in weekly.get_task("publish").outlets}
    assert produced == {"credwatch://warehouse/credwatch.duckdb"}
    consumed = {a.uri for a in report.timetable.asset_condition.iter_assets().values()} if hasattr(
        report.timetable.asset_condition, "iter_assets") else set()
    if not consumed:
        consumed = {a.uri for a in report.timetable.asset_condition.objects}
    assert consumed == produced


def test_scheduled_run_processes_the_week_that_just_ended(dagbag):
    """Serialized the way the scheduler sees it: the run fired Monday
    2026-07-27 06:00 UTC has data interval 2026-07-20 → 07-27, so it
    processes ISO week 2026-W30 (20–26 July)."""
    import pendulum
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.timetables.base import DataInterval, TimeRestriction

    from credwatch.orchestration import plan_weeks

    for dag_id, hour in (("credential_demand_weekly", 6), ("catalog_refresh", 4)):
        dag = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags[dag_id]))
        prev = DataInterval(pendulum.datetime(2026, 7, 13, hour, tz="UTC"), pendulum.datetime(2026, 7, 20, hour, tz="UTC"))
        info = dag.timetable.next_dagrun_info(last_automated_data_interval=prev,
                                              restriction=TimeRestriction(earliest=None, latest=None, catchup=True))
        assert info.run_after == pendulum.datetime(2026, 7, 27, hour, tz="UTC")
        assert plan_weeks({}, info.data_interval.start, info.run_after) == ["2026-W30"]


def test_manual_runs_need_a_week_param():
    from credwatch.orchestration import plan_weeks

    with pytest.raises(ValueError, match="no logical date"):
        plan_weeks({"week": None, "weeks": []}, None, None)
    assert plan_weeks({"week": "2026-W31"}, None, None) == ["2026-W31"]
    # an explicit param wins over the logical date (reruns of a week from the UI)
    assert plan_weeks({"week": "2026-W31"}, dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc), None) == ["2026-W31"]


def test_manual_schedule_mode(monkeypatch):
    from credwatch.orchestration import weekly_timetable

    monkeypatch.setenv("CREDWATCH_SCHEDULE", "manual")
    assert weekly_timetable() is None
    monkeypatch.setenv("CREDWATCH_SCHEDULE", "hourly")
    with pytest.raises(ValueError, match="CREDWATCH_SCHEDULE"):
        weekly_timetable()


def test_dags_readme_lists_every_dag(dagbag):
    readme = (DAGS / "README.md").read_text()
    for dag_id in dagbag.dags:
        assert f"`{dag_id}`" in readme, f"dags/README.md does not describe {dag_id}"
