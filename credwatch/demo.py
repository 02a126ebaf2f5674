"""`make demo`: run the real weekly DAG through Airflow against the offline
snapshot web, for every demo week, then print a summary.

Airflow runs from an isolated home inside the repo (.airflow/, SQLite
metadata). The DAG runs once, with all demo weeks in its conf: the scrape
task is mapped over sources and normalize over weeks, so there is one
Airflow start-up instead of one per week.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from credwatch.pipeline import log
from credwatch.settings import ROOT, paths

DAG_ID = "credential_demand_weekly"


def airflow_env(home: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "GX_ANALYTICS_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def ensure_airflow_db(home: Path, env: dict) -> None:
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "airflow.db").exists():
        log("initialising Airflow metadata database (SQLite) in " + str(home))
        subprocess.run([airflow_bin(), "db", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ensure_pools(home, env)


def ensure_pools(home: Path, env: dict) -> None:
    """Create the pools of config/pools.yml (crawl politeness, duckdb_writer)
    in this Airflow home; re-imported only when the file's pools change."""
    from credwatch.orchestration import import_pools, pools

    stamp = home / "pools.imported.json"
    want = json.dumps(pools(), sort_keys=True)
    if stamp.exists() and stamp.read_text() == want:
        return
    log("creating Airflow pools from config/pools.yml")
    import_pools(airflow_bin(), env)
    stamp.write_text(want)


def run_dag_test(weeks: list[str], snapshot_url: str, home: Path, env: dict | None = None) -> int:
    """`airflow dags test` the DAG for `weeks`; echo credwatch progress lines;
    the full Airflow log goes to <home>/logs/dags-test-*.log."""
    env = env or airflow_env(home)
    ensure_airflow_db(home, env)
    conf = json.dumps({"weeks": weeks, "snapshot_url": snapshot_url})
    logdir = home / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    logfile = logdir / f"dags-test-{time.strftime('%Y%m%dT%H%M%S')}.log"
    cmd = [airflow_bin(), "dags", "test", DAG_ID, "--conf", conf]
    with open(logfile, "w") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert proc.stdout is not None
        for line in proc.stdout:
            fh.write(line)
            if "credwatch:" in line:
                print("  " + line[line.index("credwatch:"):].rstrip(), flush=True)
            elif "Marking task as" in line or "Task finished" in line or "failed" in line.lower() and "Traceback" in line:
                print("  airflow: " + line.strip()[-160:], flush=True)
        rc = proc.wait()
    if rc != 0:
        print(f"airflow dags test exited {rc}; full log: {logfile}", file=sys.stderr)
    return rc


def summary() -> str:
    import duckdb

    db = paths().published_db
    if not db.exists():
        return f"no published database at {db}; run `make demo` first"
    con = duckdb.connect(str(db), read_only=True)
    try:
        lines = ["", "Published tables (rows):"]
        for (t,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
            n = con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            lines.append(f"  {t:<28} {n:>8}")
        weeks = con.execute("SELECT min(week), max(week), count(*) FROM dim_week").fetchone()
        lines.append(f"Weeks: {weeks[0]} .. {weeks[1]} ({weeks[2]} weeks)")
        latest = weeks[1]
        lines.append(f"Top 10 credentials by demand share, {latest}:")
        rows = con.execute(
            """SELECT d.name, m.demand_share, m.mentioning_postings, m.active_postings
               FROM credential_demand_weekly m JOIN dim_credential d USING (credential_id)
               WHERE m.week = ? AND m.soc_major = 'ALL' AND m.region = 'ALL' ORDER BY m.demand_share DESC, m.credential_id LIMIT 10""",
            [latest],
        ).fetchall()
        for name, share, n, active in rows:
            lines.append(f"  {share:6.1%}  {name}  ({n}/{active} postings)")
        lines += quality_lines()
        lines.append(f"DuckDB file: {db}")
        lines.append(f"Query it read-only:  duckdb -readonly {db}   or in Python: duckdb.connect(path, read_only=True)")
        return "\n".join(lines)
    finally:
        con.close()


def quality_lines() -> list[str]:
    """The last quality gate's figures (<warehouse>/quality/last_validation.json)."""
    path = paths().warehouse / "quality" / "last_validation.json"
    if not path.exists():
        return ["Quality gate: no validation summary (the gate has not run)"]
    v = json.loads(path.read_text(encoding="utf-8"))
    suites = ", ".join(f"{k} {s['expectations']}" for k, s in v.get("suites", {}).items())
    return [
        f"Quality gate: {'passed' if v.get('success') else 'FAILED'}, {v.get('expectations')} expectations ({suites}) "
        f"on {len(v.get('weeks', []))} week(s) in {v.get('seconds')} s ({v.get('seconds_per_week')} s per week); "
        f"{len(v.get('skipped', []))} skipped with reasons",
        f"Data Docs: {v.get('data_docs')}",
    ]


def demo(weeks: list[str]) -> int:
    from snapshot.server import SnapshotServer

    t0 = time.monotonic()
    home = ROOT / ".airflow"
    with SnapshotServer() as server:
        url = server.url if hasattr(server, "url") else server.start()
        log(f"snapshot web serving {len(weeks)} weeks on {url}")
        rc = run_dag_test(weeks, url, home)
    log("snapshot web stopped")
    if rc != 0:
        return rc
    print(summary())
    from credwatch.dashboard import report  # the report DAG's work: `dags test` runs only the weekly DAG

    print(f"Dashboard: {report()['path']}")
    print(f"\nDemo finished in {time.monotonic() - t0:.0f} s.")
    return 0


def demo_weeks(n: int | None = None) -> list[str]:
    from credwatch.settings import load_config
    from credwatch.weeks import week_range

    cfg = load_config("pipeline")["demo"]
    weeks = week_range(cfg["first_week"], cfg["last_week"])
    return weeks if n is None else weeks[:n]
