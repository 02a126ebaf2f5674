"""The quality gate between build and publish.

`validate(weeks)` runs every layer's suites — raw, staging/intermediate,
marts, volume/drift (expectations/{raw,staging,marts,volume}.py) — on the
weeks being published, through a Great Expectations ephemeral context on
bounded pandas frames (GX has no Polars backend; its SQLAlchemy path
misbehaves with DuckDB, see STACK-NOTES). It always writes Data Docs (static
HTML) to <warehouse>/quality/data_docs/ and a summary to
<warehouse>/quality/last_validation.json, then raises QualityGateFailed —
naming table, column, expectation, observed value and a few sample rows —
when anything failed. Publish only runs after it passes, so a failed gate
keeps the last published database untouched.

Thresholds live in config/quality.yml; docs/data-quality.md lists every
expectation and why it exists.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from credwatch.settings import load_config, paths

SUITE_MODULES = ("raw", "staging", "marts", "volume")
# Columns that identify a row in a failure message's sample rows.
ID_COLUMNS = ("week", "source", "source_id", "posting_key", "credential_id", "soc_major", "region", "line_no", "url")


class QualityGateFailed(RuntimeError):
    pass


def quality_dir() -> Path:
    """Where the gate writes Data Docs and its last summary (gitignored)."""
    return paths().warehouse / "quality"


def data_docs_index() -> Path:
    return quality_dir() / "data_docs" / "index.html"


def _gx_context(site_dir: Path):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # heavy (~4-6 s): imported only when validating
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.add_data_docs_site(site_name="credwatch", site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    return ctx


def _describe_failure(table: str, res, df, n: int) -> str:
    cfg = res.expectation_config
    kwargs = {k: v for k, v in cfg.kwargs.items() if k != "batch_id"}
    col = kwargs.get("column") or kwargs.get("column_list") or (kwargs.get("column_A"), kwargs.get("column_B"))
    r = res.result or {}
    if res.exception_info and res.exception_info.get("raised_exception"):
        return (f"table {table}, column {col}: {cfg.type} {kwargs} could not be evaluated: "
                f"{res.exception_info.get('exception_message')}")
    observed = r.get("observed_value", (r.get("partial_unexpected_list") or [])[:n])
    idx = (r.get("partial_unexpected_index_list") or r.get("unexpected_index_list") or [])[:n]
    # Sample rows show the checked columns and the columns that identify a row.
    checked = [c for c in ([col] if isinstance(col, str) else list(col or [])) if c]
    show = [c for c in df.columns if c in checked or c in ID_COLUMNS]
    try:
        sample = df.loc[list(idx), show or list(df.columns)].to_dict("records") if idx else []
    except (KeyError, TypeError):
        sample = []
    return (
        f"table {table}, column {col}: {cfg.type} {kwargs} failed; "
        f"unexpected {r.get('unexpected_count', '?')} of {r.get('element_count', len(df))} rows; "
        f"observed {observed}; sample rows {sample}"
    )


def _loaded_weeks(con, columns: dict) -> list[str]:
    for table in ("dim_week", "stg_postings"):
        if "week" in columns.get(table, {}):
            return [r[0] for r in con.execute(f"SELECT DISTINCT week FROM {table} ORDER BY 1").fetchall()]
    return []


def _log(msg: str) -> None:
    print(f"credwatch: {msg}", flush=True)


def validate(weeks: list[str] | None = None) -> dict:
    """Run every suite on the work database for `weeks` (default: every
    loaded week — everything a publish would copy). Returns the run summary:
    per-suite checks, expectations, failures, rows and seconds; the total
    seconds; the Data Docs path; the skipped expectations with reasons.
    Raises QualityGateFailed when any expectation or precondition failed."""
    t0 = time.monotonic()  # includes GX's import: that is what the gate costs a run
    import importlib

    import duckdb

    from credwatch.orchestration import partial_week_failures, partial_week_policy
    from expectations.base import Context, introspect, model_tables

    q = load_config("quality")
    db = paths().work_db
    if not db.exists():
        raise QualityGateFailed(f"work database {db} does not exist: nothing was loaded; run `credwatch load` first")
    site = quality_dir() / f".data_docs.tmp-{os.getpid()}"
    shutil.rmtree(site, ignore_errors=True)
    gx_ctx = _gx_context(site)
    import great_expectations as gx

    failures: list[str] = []
    skipped: list[str] = []
    suites: dict[str, dict] = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = introspect(con)
        all_weeks = _loaded_weeks(con, columns)
        weeks = sorted(set(weeks)) if weeks else all_weeks
        if not weeks:
            raise QualityGateFailed("the work database has no loaded week: nothing to validate or publish; "
                                    "run `credwatch load --week YYYY-Www` first")
        unknown = sorted(set(weeks) - set(all_weeks))
        if unknown:
            failures.append(f"week(s) {', '.join(unknown)} are to be published but are not loaded in the work "
                            "database; run `credwatch load` for them")
            weeks = [w for w in weeks if w in all_weeks]
        ctx = Context(con=con, weeks=weeks, all_weeks=all_weeks, q=q, columns=columns, models=model_tables())
        source = gx_ctx.data_sources.add_pandas("work")
        for mod in SUITE_MODULES:
            t = time.monotonic()
            plan = importlib.import_module(f"expectations.{mod}").plan(ctx)
            failures.extend(plan.failures)
            skipped.extend(plan.skipped)
            stat = {"checks": 0, "expectations": 0, "failed": len(plan.failures), "rows": 0}
            for check in plan.checks:
                suite = gx_ctx.suites.add(gx.ExpectationSuite(name=check.name, expectations=check.expectations))
                batch_def = source.add_dataframe_asset(check.name).add_batch_definition_whole_dataframe("all")
                vd = gx_ctx.validation_definitions.add(gx.ValidationDefinition(name=check.name, data=batch_def, suite=suite))
                result = vd.run(batch_parameters={"dataframe": check.df},
                                result_format={"result_format": "SUMMARY",
                                               "partial_unexpected_count": q["failure_sample_rows"]})
                stat["checks"] += 1
                stat["expectations"] += len(result.results)
                stat["rows"] += len(check.df)
                for res in result.results:
                    if not res.success:
                        stat["failed"] += 1
                        failures.append(_describe_failure(check.table, res, check.df, q["failure_sample_rows"]))
            stat["seconds"] = round(time.monotonic() - t, 2)
            suites[mod] = stat
    finally:
        con.close()
    partial_msgs, partial = partial_week_failures(weeks)
    failures.extend(partial_msgs)
    docs = _build_docs(gx_ctx, site)
    stats = {
        "weeks": weeks,
        "suites": suites,
        "expectations": sum(s["expectations"] for s in suites.values()),
        "seconds": round(time.monotonic() - t0, 2),
        "seconds_per_week": round((time.monotonic() - t0) / max(len(weeks), 1), 2),
        "success": not failures,
        "failures": failures,
        "skipped": skipped,
        "data_docs": str(docs),
        "partial_week_policy": partial_week_policy(),
        "partial_weeks": {w: rec["failed_sources"] for w, rec in partial.items()},
    }
    (quality_dir() / "last_validation.json").write_text(json.dumps(stats, indent=2, default=str), encoding="utf-8")
    for reason in skipped:
        _log(f"validate: skipped: {reason}")
    if failures:
        raise QualityGateFailed(
            f"quality gate failed, nothing published ({len(failures)} problem(s); Data Docs: {docs}):\n- "
            + "\n- ".join(failures))
    return stats


def _build_docs(gx_ctx, site: Path) -> Path:
    """Render this run's validation results as static HTML next to the
    previous run's, then swap the folder in (a reader never sees half a site)."""
    site.parent.mkdir(parents=True, exist_ok=True)
    gx_ctx.build_data_docs(site_names=["credwatch"])
    final = quality_dir() / "data_docs"
    old = quality_dir() / f".data_docs.old-{os.getpid()}"
    if final.exists():
        final.rename(old)
    site.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final / "index.html"
