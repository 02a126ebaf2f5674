"""
### credential_demand_weekly

Weekly refresh of credwatch's credential-demand marts:
**scrape** (one mapped task per configured source; each crawl is a Scrapy
subprocess) → **normalize** (Polars, one mapped task per week) → **load** the
clean partitions into DuckDB and rebuild the affected weeks' marts →
**validate** (Great Expectations quality gate) → **publish** (atomic swap of
`warehouse/credwatch.duckdb`).

Partitioning: a scheduled run processes the ISO week that just ended (from
its data interval). Manual/API runs have no logical date in Airflow 3: pass
`{"week": "2026-W30"}` or `{"weeks": [...]}` in the run conf. `snapshot_url`
points every source at the offline snapshot web instead of production.

This file only wires tasks; every step is `credwatch.pipeline.<step>`, also
runnable as `credwatch <step> --week YYYY-Www`.
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

DEFAULT_ARGS = {
    "owner": "credwatch",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=2),
}


@dag(
    dag_id="credential_demand_weekly",
    schedule="0 6 * * 1",
    start_date=pendulum.datetime(2026, 1, 5, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
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
        from credwatch.weeks import resolve_run_weeks

        return resolve_run_weeks(params, data_interval_start, logical_date)

    @task
    def plan_sources() -> list[str]:
        from credwatch.pipeline import sources

        return sources()

    @task
    def scrape(source: str, weeks: list[str], params=None) -> list[dict]:
        from credwatch.pipeline import scrape as run

        return run(source, weeks, (params or {}).get("snapshot_url"))

    @task
    def normalize(week: str) -> dict:
        from credwatch.pipeline import normalize as run

        return run(week)

    @task
    def load(weeks: list[str]) -> dict:
        from credwatch.pipeline import load as run

        return run(weeks)

    @task
    def validate() -> dict:
        from credwatch.pipeline import validate as run

        return run()

    @task
    def publish() -> dict:
        from credwatch.pipeline import publish as run

        return run()

    weeks = plan_weeks()
    scraped = scrape.partial(weeks=weeks).expand(source=plan_sources())
    normalized = normalize.expand(week=weeks)
    loaded = load(weeks)
    scraped >> normalized >> loaded >> validate() >> publish()


credential_demand_weekly()
