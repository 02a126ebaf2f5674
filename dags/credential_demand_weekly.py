"""
### credential_demand_weekly

Weekly refresh of credwatch's credential-demand marts:
**scrape** (one mapped task per configured source, job boards and catalogs,
grouped by crawled domain group, each group in its own politeness pool
`crawl_<group>`; each crawl is a Scrapy subprocess; partitions that
`catalog_refresh` already fetched are kept, raw is immutable) →
**record_sources** (runs even when a source failed after its retries:
writes `lake/runs/week=<W>/sources.json`, marking the week `complete` or
`partial`) → **normalize** (Polars, one mapped task per week) → **load** the
clean partitions into DuckDB and rebuild the affected weeks' marts →
**validate** (Great Expectations quality gate; it also applies
`partial_week_policy` from `config/quality.yml`) → **publish** (atomic swap
of `warehouse/credwatch.duckdb`; updates the Asset `credwatch_marts`, which
triggers `credwatch_report`). load, validate and publish share the one-slot
pool `duckdb_writer`.

Partitioning: a scheduled (or backfill) run fires Monday 06:00 UTC and
processes the ISO week of its data interval start, i.e. the week that just
ended. Manual/API runs have no logical date in Airflow 3: pass
`{"week": "2026-W30"}` or `{"weeks": [...]}` in the run conf. `snapshot_url`
points every source at the offline snapshot web instead of production.

A failing source does not stop the others: its mapped scrape task fails
(after 2 retries with exponential backoff) and stays red in the grid, the
run record names it, and the quality gate decides whether the partial week
may publish.

This file only wires tasks; every step is `credwatch.pipeline.<step>` or
`credwatch.orchestration.<step>`, also runnable as `credwatch <step> --week YYYY-Www`.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, TaskGroup, dag, get_current_context, task

from credwatch import orchestration as orch

MARTS = Asset(name=orch.MARTS_ASSET_NAME, uri=orch.MARTS_ASSET_URI, group="credwatch")


@dag(
    dag_id="credential_demand_weekly",
    schedule=orch.weekly_timetable(),
    start_date=pendulum.datetime(2026, 1, 5, tz="UTC"),
    catchup=False,  # history is loaded on purpose with `airflow backfill create` (docs/operations.md)
    max_active_runs=1,
    default_args=orch.default_args(),
    params={
        "week": Param(None, type=["null", "string"], description="ISO week YYYY-Www for a manual run"),
        "weeks": Param([], type="array", description="several ISO weeks for one run (backfill, demo)"),
        "snapshot_url": Param(None, type=["null", "string"], description="crawl the offline snapshot web at this URL"),
    },
    tags=["credwatch", "weekly", "demand"],
    doc_md=__doc__,
)
def credential_demand_weekly():
    @task
    def plan_weeks(params=None, data_interval_start=None, logical_date=None) -> list[str]:
        return orch.plan_weeks(params, data_interval_start, logical_date)

    @task(execution_timeout=orch.SCRAPE_TIMEOUT, map_index_template="{{ credwatch_source }}")
    def scrape(source: str, weeks: list[str], params=None) -> list[dict]:
        get_current_context()["credwatch_source"] = source  # names the map index in the UI
        return orch.scrape_source(source, weeks, (params or {}).get("snapshot_url"))

    @task(trigger_rule="all_done")
    def record_sources(weeks: list[str], run_id=None) -> dict:
        return orch.record_weeks(weeks, "all", run_id)

    @task
    def normalize(week: str) -> dict:
        from credwatch.pipeline import normalize as run

        return run(week)

    @task(pool=orch.WRITER_POOL)
    def load(weeks: list[str]) -> dict:
        from credwatch.pipeline import load as run

        return run(weeks)

    @task(pool=orch.WRITER_POOL)
    def validate(loaded: dict) -> dict:
        return orch.quality_gate(orch.loaded_weeks(loaded))

    @task(pool=orch.WRITER_POOL, outlets=[MARTS])
    def publish(weeks: list[str], outlet_events=None) -> dict:
        from credwatch.pipeline import publish as run

        manifest = run()
        outlet_events[MARTS].extra = {"weeks": weeks, "rows": {t: v["rows"] for t, v in manifest["tables"].items()}}
        return {"database": manifest["database"], "weeks": weeks}

    weeks = plan_weeks()
    with TaskGroup("scrape", tooltip="one mapped task per domain group, one map index per source") as scraped:
        for group, names in orch.domain_groups("all").items():
            scrape.override(task_id=orch.group_task_id(group), pool=orch.crawl_pool(group)).partial(
                weeks=weeks
            ).expand(source=names)
    recorded = record_sources(weeks)
    scraped >> recorded
    normalized = normalize.expand(week=weeks)
    loaded = load(weeks)
    recorded >> normalized >> loaded
    validate(loaded) >> publish(weeks)


credential_demand_weekly()
