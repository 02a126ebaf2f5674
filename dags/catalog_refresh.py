"""
### catalog_refresh

Weekly crawl of the training-provider catalogs (sources of `type: catalog`
in `config/sources.yml`, e.g. the Microsoft Learn catalog API) into
`lake/raw/source=<name>/week=<W>/`: one mapped task per catalog source,
grouped by domain group, each group in its politeness pool `crawl_<group>`.
`record_catalogs` then writes `lake/runs/week=<W>/catalogs.json` (which
catalogs were fetched) and updates the Asset `credwatch_raw_catalogs`.
`credential_demand_weekly` scrapes the same sources but keeps these
(immutable) partitions, so this DAG takes the slow catalog crawls, with
their own retries, off the weekly run's critical path.

Schedule: Mondays 04:00 UTC, for the ISO week that just ended (two hours
before `credential_demand_weekly`). Manual runs: conf `{"week": "2026-W30"}`
(optionally `"snapshot_url"`).
"""
from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, TaskGroup, dag, get_current_context, task

from credwatch import orchestration as orch

CATALOGS = Asset(name=orch.CATALOGS_ASSET_NAME, uri=orch.CATALOGS_ASSET_URI, group="credwatch")


@dag(
    dag_id="catalog_refresh",
    schedule=orch.weekly_timetable(orch.CATALOG_CRON),
    start_date=pendulum.datetime(2026, 1, 5, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=orch.default_args(),
    params={
        "week": Param(None, type=["null", "string"], description="ISO week YYYY-Www for a manual run"),
        "weeks": Param([], type="array", description="several ISO weeks for one run"),
        "snapshot_url": Param(None, type=["null", "string"], description="crawl the offline snapshot web at this URL"),
    },
    tags=["credwatch", "weekly", "catalog"],
    doc_md=__doc__,
)
def catalog_refresh():
    @task
    def plan_weeks(params=None, data_interval_start=None, logical_date=None) -> list[str]:
        return orch.plan_weeks(params, data_interval_start, logical_date)

    @task(execution_timeout=orch.SCRAPE_TIMEOUT, map_index_template="{{ credwatch_source }}")
    def scrape(source: str, weeks: list[str], params=None) -> list[dict]:
        get_current_context()["credwatch_source"] = source
        return orch.scrape_source(source, weeks, (params or {}).get("snapshot_url"))

    @task(trigger_rule="all_done", outlets=[CATALOGS])
    def record_catalogs(weeks: list[str], run_id=None) -> dict:
        return orch.record_weeks(weeks, "catalog", run_id)

    weeks = plan_weeks()
    with TaskGroup("scrape") as scraped:
        for group, names in orch.domain_groups("catalog").items():
            scrape.override(task_id=orch.group_task_id(group), pool=orch.crawl_pool(group)).partial(
                weeks=weeks
            ).expand(source=names)
    scraped >> record_catalogs(weeks)


catalog_refresh()
