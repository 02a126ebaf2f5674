"""What the Airflow DAGs need beyond the pipeline steps: schedules, default
task arguments, pools, per-week run records and the run report.

The DAG files in dags/ only wire tasks; every decision they encode lives here
so it is testable without Airflow and usable from the CLI. Importing this
module is cheap (PyYAML and the standard library only): DAG files import it
at parse time.

Run records
-----------
After the scrape tasks of a run have finished (successfully or not), one
record per week is written:

    <lake>/runs/week=<W>/sources.json     every configured source (weekly DAG, `credwatch run`)
    <lake>/runs/week=<W>/catalogs.json    catalog sources only (catalog_refresh DAG)

    {"week": "2026-W30", "scope": "all", "status": "complete" | "partial" | "failed",
     "expected_sources": [...], "ok_sources": [...], "failed_sources": [...],
     "run_id": "...", "recorded_at": "2026-11-29T18:00:00Z",
     "sources": [{"source", "type", "domain_group", "status": "ok" | "failed",
                  "items", "quarantined", "error"}]}

A source is "ok" for a week when its raw partition is committed
(`_SUCCESS`); raw partitions are immutable, so one committed by an earlier
run counts. `status` is `complete` when every source in scope is ok,
`partial` when some are, `failed` when none is. The quality gate reads
`sources.json` (`partial_week_policy` in config/quality.yml) and the
warehouse exposes it in `source_health_weekly`.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from credwatch.settings import load_config, paths
from credwatch.weeks import parse_week, resolve_run_weeks

OWNER = "credwatch"
WRITER_POOL = "duckdb_writer"
WEEKLY_CRON = "0 6 * * 1"  # Mondays 06:00 UTC, for the ISO week that just ended
CATALOG_CRON = "0 4 * * 1"  # catalogs first, so the weekly run sees this week's offerings
MARTS_ASSET_NAME = "credwatch_marts"
MARTS_ASSET_URI = "credwatch://warehouse/credwatch.duckdb"
CATALOGS_ASSET_NAME = "credwatch_raw_catalogs"
CATALOGS_ASSET_URI = "credwatch://lake/raw/catalogs"
RECORD_FILES = {"all": "sources.json", "catalog": "catalogs.json"}  # scope -> file
PARTIAL_WEEK_POLICIES = ("block", "allow")

# Retry timing. Production waits minutes between tries (a board that is down
# is usually down for a while); tests shorten the wait with
# CREDWATCH_RETRY_DELAY_S instead of lowering the retry count.
DEFAULT_RETRIES = 2
DEFAULT_RETRY_DELAY_S = 120.0
MAX_RETRY_DELAY = dt.timedelta(minutes=30)
SCRAPE_TIMEOUT = dt.timedelta(hours=2)
STEP_TIMEOUT = dt.timedelta(hours=1)
REPORT_TIMEOUT = dt.timedelta(minutes=10)


def log(msg: str) -> None:
    print(f"credwatch: {msg}", flush=True)


# --------------------------------------------------------------------- DAG wiring


def retry_delay() -> dt.timedelta:
    raw = os.environ.get("CREDWATCH_RETRY_DELAY_S", "")
    try:
        seconds = float(raw) if raw else DEFAULT_RETRY_DELAY_S
    except ValueError:
        raise ValueError(f"CREDWATCH_RETRY_DELAY_S={raw!r} is not a number of seconds; unset it or write e.g. 5") from None
    return dt.timedelta(seconds=seconds)


def default_args() -> dict:
    """Task defaults of every credwatch DAG: an owner, two retries with
    exponential backoff (capped at MAX_RETRY_DELAY) and a timeout."""
    return {
        "owner": OWNER,
        "retries": DEFAULT_RETRIES,
        "retry_delay": retry_delay(),
        "retry_exponential_backoff": True,
        "max_retry_delay": MAX_RETRY_DELAY,
        "execution_timeout": STEP_TIMEOUT,
    }


def weekly_timetable(cron: str = WEEKLY_CRON):
    """A cron trigger whose data interval is the week before the trigger, so a
    run fired on Monday 06:00 has data_interval_start = the previous Monday
    06:00 and processes the ISO week that just ended.

    With catchup=False, unpausing a DAG runs the latest past interval at
    once. A deployment that must only run on demand (staging, the real-
    scheduler test) sets CREDWATCH_SCHEDULE=manual: the DAGs then have no
    time schedule (None) and run only when triggered.
    """
    from airflow.sdk import CronTriggerTimetable

    mode = os.environ.get("CREDWATCH_SCHEDULE", "weekly")
    if mode not in ("weekly", "manual"):
        raise ValueError(f"CREDWATCH_SCHEDULE={mode!r}; write weekly (the default) or manual")
    if mode == "manual":
        return None

    return CronTriggerTimetable(cron, timezone="UTC", interval=dt.timedelta(weeks=1))


def _sources_in(scope: str) -> list[dict]:
    """Configured sources of a type (`jobs`, `catalog`), or all of them (`all`)."""
    return [s for s in load_config("sources")["sources"] if scope == "all" or s.get("type") == scope]


def domain_groups(scope: str = "all") -> dict[str, list[str]]:
    """{domain_group: [source names]} of the configured sources (`all`, or
    one type: `jobs`, `catalog`), in config order. Sources without a
    domain_group form their own group."""
    out: dict[str, list[str]] = {}
    for s in _sources_in(scope):
        out.setdefault(str(s.get("domain_group") or s["name"]), []).append(s["name"])
    return out


def crawl_pool(group: str) -> str:
    """Name of the Airflow pool that limits concurrent crawls of one domain group."""
    return "crawl_" + re.sub(r"[^a-z0-9_]+", "_", group.lower()).strip("_")


def group_task_id(group: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", group).strip("_")


def pools() -> dict[str, dict]:
    """The pools every credwatch Airflow deployment must have:
    {name: {"slots": int, "description": str}} — the fixed pools of
    config/pools.yml plus one crawl_<group> pool per domain group of
    config/sources.yml (slots from pools.yml `crawl_pools`)."""
    cfg = load_config("pools")
    out = {}
    for name, spec in (cfg.get("pools") or {}).items():
        out[name] = {"slots": (spec or {}).get("slots"), "description": " ".join(str(spec.get("description", "")).split())}
    crawl = cfg.get("crawl_pools") or {}
    per_group = crawl.get("slots") or {}
    unknown = set(per_group) - {str(s.get("domain_group") or s["name"]) for s in load_config("sources")["sources"]}
    if unknown:
        raise ValueError(f"config/pools.yml crawl_pools.slots names domain group(s) {sorted(unknown)} "
                         "that no source in config/sources.yml has; fix the name or remove the entry")
    for group, names in domain_groups("all").items():
        out[crawl_pool(group)] = {
            "slots": per_group.get(group, crawl.get("default_slots")),
            "description": f"politeness: concurrent crawls of domain group {group!r} ({', '.join(names)})",
        }
    for name, spec in out.items():
        if not isinstance(spec["slots"], int) or spec["slots"] < 1:
            raise ValueError(f"config/pools.yml: pool {name!r} needs an integer number of slots >= 1, got {spec['slots']!r}")
    return out


def pools_json(path: Path) -> Path:
    """Write the pools in the format of `airflow pools import`."""
    doc = {name: {"slots": p["slots"], "description": p["description"], "include_deferred": False}
           for name, p in pools().items()}
    path.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
    return path


def import_pools(airflow_bin: str, env: dict) -> dict[str, dict]:
    """Create or update the pools of config/pools.yml in the Airflow metadata
    database that `env` points at (`airflow pools import`, ~4 s)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pools_json(Path(tmp) / "pools.json")
        proc = subprocess.run([airflow_bin, "pools", "import", str(path)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"`airflow pools import` failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}")
    return pools()


# --------------------------------------------------------------------- task bodies


def plan_weeks(params: dict | None, data_interval_start=None, logical_date=None) -> list[str]:
    """Weeks of a run: the `week`/`weeks` param, else the data interval start
    (scheduled and backfill runs); manual runs without a param fail loudly."""
    weeks = resolve_run_weeks(params, data_interval_start, logical_date)
    log(f"run processes week(s) {', '.join(weeks)}")
    return weeks


def _errors_dir(week: str) -> Path:
    return paths().lake / "runs" / f"week={week}" / "errors"


def scrape_source(source: str, weeks: list[str], snapshot: str | None = None) -> list[dict]:
    """Crawl one source for every week of the run (one Scrapy subprocess).

    A failing week does not stop the source's other weeks. Each failed week's
    error is written to <lake>/runs/week=<W>/errors/source=<name>.json (for
    the run record) and the task then raises, so Airflow retries it
    (committed weeks are skipped on retry: raw partitions are immutable) and
    finally shows it as failed.
    """
    from credwatch.pipeline import scrape

    for week in weeks:
        parse_week(week)
    try:
        return scrape(source, weeks, snapshot)
    except Exception as exc:  # recorded per week, then re-raised: never swallowed
        per_week = getattr(exc, "failures", None) or {
            w: str(exc) for w in weeks if not (paths().raw_partition(source, w) / "_SUCCESS").exists()
        }
        for week, msg in per_week.items():
            err = _errors_dir(week)
            err.mkdir(parents=True, exist_ok=True)
            (err / f"source={source}.json").write_text(json.dumps(
                {"source": source, "week": week, "error": f"{type(exc).__name__}: {msg}", "at": _now()}), encoding="utf-8")
            log(f"[{week}] scrape {source} FAILED: {msg}")
        raise


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _source_status(entry: dict, week: str) -> dict:
    name = entry["name"]
    part = paths().raw_partition(name, week)
    row = {"source": name, "type": entry.get("type"), "domain_group": entry.get("domain_group") or name,
           "status": "failed", "items": None, "quarantined": None, "error": None}
    if (part / "_SUCCESS").exists():
        stats_file = part / "stats.json"
        stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
        row.update(status="ok", items=stats.get("items"), quarantined=stats.get("quarantined"))
        return row
    err = _errors_dir(week) / f"source={name}.json"
    row["error"] = (json.loads(err.read_text(encoding="utf-8"))["error"] if err.exists()
                    else "no committed raw partition and no recorded error: the scrape task did not run")
    return row


def week_record_path(week: str, scope: str = "all") -> Path:
    return paths().lake / "runs" / f"week={week}" / RECORD_FILES[scope]


def record_weeks(weeks: list[str], scope: str = "all", run_id: str | None = None) -> dict[str, dict]:
    """Write the run record of each week (see the module docstring) and
    return {week: record}. Raises after writing when a week has nothing to
    build from (no job source ok; for scope `catalog`: no catalog ok), so
    the run stops visibly."""
    entries = _sources_in(scope)
    if not entries:
        raise ValueError(f"config/sources.yml has no source for scope {scope!r}")
    needed = "catalog" if scope == "catalog" else "jobs"
    out, empty = {}, []
    for week in weeks:
        parse_week(week)
        rows = [_source_status(e, week) for e in entries]
        ok = [r["source"] for r in rows if r["status"] == "ok"]
        failed = [r["source"] for r in rows if r["status"] != "ok"]
        status = "complete" if not failed else ("partial" if ok else "failed")
        record = {"week": week, "scope": scope, "status": status,
                  "expected_sources": [e["name"] for e in entries], "ok_sources": ok,
                  "failed_sources": failed, "run_id": run_id, "recorded_at": _now(), "sources": rows}
        path = week_record_path(week, scope)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(record, indent=2), encoding="utf-8")
        os.replace(tmp, path)
        if status == "complete":
            log(f"[{week}] all {len(ok)} sources complete ({scope})")
        else:
            log(f"[{week}] week is {status.upper()}: failed source(s) {', '.join(failed)}; record {path}")
        if not any(r["status"] == "ok" and r["type"] == needed for r in rows):
            empty.append(week)
        out[week] = record
    if empty:
        raise RuntimeError(f"no {needed} source succeeded for week(s) {', '.join(empty)}: nothing to build; "
                           f"see the records under {paths().lake / 'runs'} and the scrape logs")
    return out


def read_week_record(week: str, scope: str = "all") -> dict | None:
    path = week_record_path(week, scope)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def partial_week_policy() -> str:
    policy = load_config("quality").get("partial_week_policy", "block")
    if policy not in PARTIAL_WEEK_POLICIES:
        raise ValueError(f"config/quality.yml partial_week_policy is {policy!r}; write one of {PARTIAL_WEEK_POLICIES}")
    return policy


def partial_weeks(weeks) -> dict[str, dict]:
    """{week: record} of the weeks whose job-source record is not complete.
    Weeks without a record (built from clean partitions by hand) are not listed."""
    out = {}
    for week in sorted(set(weeks)):
        rec = read_week_record(week)
        if rec is not None and rec["status"] != "complete":
            out[week] = rec
    return out


def partial_week_failures(weeks) -> tuple[list[str], dict[str, dict]]:
    """Quality-gate messages for partial weeks under the configured policy
    (none under `allow`), and the partial weeks themselves."""
    policy = partial_week_policy()
    partial = partial_weeks(weeks)
    if policy == "allow":
        return [], partial
    msgs = [
        f"week {w} is {rec['status']}: source(s) {', '.join(rec['failed_sources'])} failed after all retries "
        f"(config/quality.yml partial_week_policy = block). Rerun the week once the source is back "
        f"(`credwatch scrape --week {w} --source {rec['failed_sources'][0]}`, then normalize/load/validate/publish), "
        f"or set partial_week_policy: allow to publish partial weeks"
        for w, rec in partial.items()
    ]
    return msgs, partial


def loaded_weeks(load_result: dict | None) -> list[str] | None:
    """The weeks a load task (re)built, from its return value: the gate
    validates those (None: every loaded week)."""
    r = load_result or {}
    # The load rebuilds the marts of later weeks too (trailing windows, a
    # posting reappearing): validate every week whose rows changed.
    weeks = sorted(set(r.get("postings_by_week") or {}) | set(r.get("marts_rebuilt") or []))
    return weeks or None


def quality_gate(weeks: list[str] | None = None) -> dict:
    """The validate task: a failed gate fails the task at once, without
    retries (the data will not change by waiting); other errors retry.
    `weeks`: those being published (default: every loaded week)."""
    from airflow.sdk.exceptions import AirflowFailException

    from credwatch.pipeline import validate
    from expectations.validate import QualityGateFailed

    try:
        return validate(weeks)
    except QualityGateFailed as exc:
        raise AirflowFailException(str(exc)) from exc


# --------------------------------------------------------------------- report


def write_report(asset_events: list[dict] | None = None) -> dict:
    """Small run report of the published marts (triggered by the marts Asset):
    <warehouse>/reports/run_report.json and .md. Reads the publish manifest
    and the run records; never opens the DuckDB file."""
    p = paths()
    manifest_path = p.warehouse / "credwatch.publish.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"{manifest_path} is missing: nothing has been published; run the weekly DAG first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    weeks = manifest.get("weeks", [])
    health = {}
    for w in weeks:
        rec = read_week_record(w)
        health[w] = {"status": rec["status"], "failed_sources": rec["failed_sources"]} if rec else {"status": "unrecorded"}
    report = {
        "generated_at": _now(),
        "database": manifest.get("database"),
        "tables": {t: v["rows"] for t, v in manifest.get("tables", {}).items()},
        "weeks": weeks,
        "partial_weeks": [w for w, h in health.items() if h["status"] not in ("complete", "unrecorded")],
        "source_health": health,
        "triggered_by": asset_events or [],
    }
    out = p.warehouse / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "run_report.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    lines = [f"# credwatch run report ({report['generated_at']})", "",
             f"Published database: `{report['database']}`", "",
             "| table | rows |", "|---|---:|"]
    lines += [f"| {t} | {n} |" for t, n in report["tables"].items()]
    lines += ["", "| week | sources |", "|---|---|"]
    lines += [f"| {w} | {h['status']}{' (failed: ' + ', '.join(h['failed_sources']) + ')' if h.get('failed_sources') else ''} |"
              for w, h in health.items()]
    (out / "run_report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"report: {len(weeks)} published week(s), {len(report['partial_weeks'])} partial; {out / 'run_report.md'}")
    return {"weeks": len(weeks), "partial_weeks": report["partial_weeks"], "report": str(out / "run_report.json")}


def main(argv: list[str] | None = None) -> int:
    """`python -m credwatch.orchestration pools-json PATH`: write config/pools.yml
    as an `airflow pools import` file (used by the compose init service)."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "pools-json":
        print(pools_json(Path(argv[1])))
        return 0
    print("usage: python -m credwatch.orchestration pools-json PATH", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
