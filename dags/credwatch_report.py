"""
### credwatch_report

Runs whenever the marts are published: scheduled on the Asset
`credwatch_marts`, which `credential_demand_weekly.publish` updates. Writes a
small run report of what was published (tables and rows, weeks, which weeks
are partial and which sources failed) to
`warehouse/reports/run_report.json` and `run_report.md`. It reads the publish
manifest and the run records only, never the DuckDB file, so it cannot
block the single writer.

Then writes the static HTML dashboard (`credwatch report`,
credwatch.dashboard) to `warehouse/reports/dashboard/index.html`. It opens
the published database read-only; publish never writes that file (it swaps
a new one in), so this does not block the writer either.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task

from credwatch import orchestration as orch

MARTS = Asset(name=orch.MARTS_ASSET_NAME, uri=orch.MARTS_ASSET_URI, group="credwatch")


@dag(
    dag_id="credwatch_report",
    schedule=[MARTS],
    start_date=pendulum.datetime(2026, 1, 5, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={**orch.default_args(), "execution_timeout": orch.REPORT_TIMEOUT},
    tags=["credwatch", "report"],
    doc_md=__doc__,
)
def credwatch_report():
    @task
    def write_report(triggering_asset_events=None) -> dict:
        events = [
            {"asset": getattr(asset, "name", str(asset)), "extra": dict(ev.extra or {}),
             "source_dag_id": getattr(ev, "source_dag_id", None), "source_run_id": getattr(ev, "source_run_id", None)}
            for asset, evs in (triggering_asset_events or {}).items()
            for ev in evs
        ]
        return orch.write_report(events)

    @task
    def write_dashboard() -> dict:
        from credwatch.dashboard import build

        return build()

    write_report() >> write_dashboard()


credwatch_report()
