"""The quality gate between build and publish.

`validate()` runs every suite against the work database and raises
QualityGateFailed — naming table, column, expectation, observed value and a
few sample rows — when any expectation fails. Publish only runs after it
passes, so a failed gate keeps the last published database untouched.
"""
from __future__ import annotations

import os
import time

from credwatch.settings import load_config, paths


class QualityGateFailed(RuntimeError):
    pass


def _gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # heavy (~6 s): imported only when validating
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


def _describe_failure(table: str, res, df, n: int) -> str:
    cfg = res.expectation_config
    kwargs = {k: v for k, v in cfg.kwargs.items() if k != "batch_id"}
    col = kwargs.get("column") or kwargs.get("column_list") or (kwargs.get("column_A"), kwargs.get("column_B"))
    r = res.result or {}
    observed = r.get("observed_value", r.get("partial_unexpected_list", [])[:n])
    idx = (r.get("partial_unexpected_index_list") or r.get("unexpected_index_list") or [])[:n]
    sample = df.iloc[list(idx)].to_dict("records") if idx else []
    return (
        f"table {table}, column {col}: {cfg.type} {kwargs} failed; "
        f"unexpected {r.get('unexpected_count', '?')} of {r.get('element_count', len(df))} rows; "
        f"observed {observed}; sample rows {sample}"
    )


def validate() -> dict:
    """Validate the marts in the work database. Returns per-suite stats
    (expectations evaluated, seconds); raises QualityGateFailed on failure."""
    t0 = time.monotonic()  # includes GX's import: that is what the gate costs a run
    import duckdb

    from expectations.suites import credential_demand_weekly_suite

    q = load_config("quality")
    con = duckdb.connect(str(paths().work_db), read_only=True)
    try:
        df = con.execute("SELECT * FROM credential_demand_weekly ORDER BY week, credential_id").df()
        known = [r[0] for r in con.execute("SELECT credential_id FROM dim_credential").fetchall()]
        with_demand = con.execute(
            "SELECT count(DISTINCT credential_id) FROM credential_demand_weekly WHERE mentioning_postings > 0"
        ).fetchone()[0]
    finally:
        con.close()
    failures = []
    if df.empty:
        failures.append("table credential_demand_weekly is empty: nothing was built; check the scrape and load logs")
    min_cred = q["marts"]["credential_demand_weekly"]["min_credentials_with_demand"]
    if with_demand < min_cred:
        failures.append(
            f"table credential_demand_weekly, column credential_id: only {with_demand} credentials have demand "
            f"(config/quality.yml min_credentials_with_demand = {min_cred}); extraction or the crawl is broken"
        )
    # A week where a job source failed after all retries is partial (run record
    # lake/runs/week=<W>/sources.json); config/quality.yml decides if it may publish.
    from credwatch.orchestration import partial_week_failures, partial_week_policy

    partial_msgs, partial = partial_week_failures(sorted(df["week"].unique().tolist()) if not df.empty else [])
    failures.extend(partial_msgs)
    ctx = _gx_context()
    batch = (
        ctx.data_sources.add_pandas("work")
        .add_dataframe_asset("credential_demand_weekly")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": df})
    )
    result = batch.validate(credential_demand_weekly_suite(q, known), result_format="COMPLETE")
    for res in result.results:
        if not res.success:
            failures.append(_describe_failure("credential_demand_weekly", res, df, q["failure_sample_rows"]))
    stats = {
        "suites": {"credential_demand_weekly": {"expectations": len(result.results), "rows": len(df)}},
        "seconds": round(time.monotonic() - t0, 2),
        "success": not failures,
        "partial_week_policy": partial_week_policy(),
        "partial_weeks": {w: rec["failed_sources"] for w, rec in partial.items()},
    }
    if failures:
        raise QualityGateFailed("quality gate failed, nothing published:\n- " + "\n- ".join(failures))
    return stats
