"""Latency of the ten analyst queries of docs/analyst-guide.md on the published
database, as an analyst runs them: one read-only DuckDB connection, each
query executed and fully fetched `--reps` times after one warm-up run.

The queries are the ```sql blocks of the guide, read at run time (the same
extraction as tests/test_cli_analyst.py), so the benchmark follows the guide.
Reported per query: rows returned, the first (cold) run on a new connection,
and p50 / p95 of the timed runs (nearest-rank percentiles).

Database: --db, or the one benchmarks/refresh.py published for the same
--postings / --weeks (default 1,000,000 postings over 52 weeks, clean layer
from benchmarks/scale.py); when that is missing or lacks the last week, it is
built first (history load + the last week, no timing).

Usage:
    .venv/bin/python benchmarks/queries.py                       # 52 weeks x 1M postings
    .venv/bin/python benchmarks/queries.py --quick               # refresh.py --quick's database
    .venv/bin/python benchmarks/queries.py --db warehouse/credwatch.duckdb --reps 50
Writes benchmarks/results/queries.json (quick: benchmarks/results/quick/queries.json) or --out.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GUIDE = ROOT / "docs" / "analyst-guide.md"


def guide_queries(path: Path = GUIDE) -> list[tuple[str, str]]:
    """[(title, sql)] for every ```sql block, titled by the '### ' heading above it."""
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; the analyst queries are read from its ```sql blocks")
    out, title = [], None
    for m in re.finditer(r"^### ([^\n]+)$|```sql\n(.*?)```", path.read_text(encoding="utf-8"), re.M | re.S):
        if m.group(1):
            title = m.group(1).strip()
        else:
            out.append((title or f"query {len(out) + 1}", m.group(2).strip()))
    return out


def nearest_rank(values: list[float], pct: float) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(pct / 100 * len(s)) - 1)]


def published_db(postings: int, weeks: int, workdir: Path) -> Path:
    """The database benchmarks/refresh.py leaves for (postings, weeks), completed to every week."""
    import refresh as R  # benchmarks/refresh.py (this folder is on sys.path when run as a script)

    all_weeks = R.weeks_of(weeks)
    lake, info = R.dataset(workdir, postings, weeks)
    hist, _ = R.history(workdir, lake, info, all_weeks, fresh=False)
    # The history itself stays at W-1 weeks (refresh.py copies it for every run).
    wh = R.run_copy_current(hist)
    manifest = wh / "credwatch.publish.json" if wh else None
    if manifest is None or not manifest.exists() or json.loads(manifest.read_text()).get("weeks", [])[-1:] != all_weeks[-1:]:
        wh = R.restore(hist)
        print(f"# loading and publishing {all_weeks[-1]} into {wh}", file=sys.stderr, flush=True)
        R.run_child(lake, wh, [all_weeks[-1]], validate=False, publish=True)
    return wh / "credwatch.duckdb"


def run(db: Path, reps: int, warmup: int = 1) -> dict:
    import duckdb

    queries = guide_queries()
    results = []
    for title, sql in queries:
        t = time.perf_counter()
        con = duckdb.connect(str(db), read_only=True)
        rows = con.execute(sql).fetchall()
        cold = time.perf_counter() - t
        for _ in range(warmup):
            con.execute(sql).fetchall()
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            con.execute(sql).fetchall()
            times.append(time.perf_counter() - t)
        con.close()
        results.append({"query": title, "rows": len(rows), "first_run_ms": round(cold * 1000, 1),
                        "p50_ms": round(nearest_rank(times, 50) * 1000, 1), "p95_ms": round(nearest_rank(times, 95) * 1000, 1),
                        "mean_ms": round(statistics.fmean(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1)})
        print(f"  {results[-1]['p50_ms']:8.1f} ms p50 {results[-1]['p95_ms']:8.1f} ms p95  {len(rows):6,} rows  {title[:70]}",
              file=sys.stderr, flush=True)
    return {"queries": results, "n_queries": len(results)}


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import refresh as R

    ap = argparse.ArgumentParser(description="p50/p95 latency of the analyst guide's ten queries (see the module docstring).")
    ap.add_argument("--db", type=Path, default=None, help="published database to query (default: refresh.py's for --postings/--weeks)")
    ap.add_argument("--postings", type=int, default=None, help=f"(default {R.DEFAULT_POSTINGS:,}; quick {R.QUICK['postings']:,})")
    ap.add_argument("--weeks", type=int, default=None, help=f"(default {R.DEFAULT_WEEKS}; quick {R.QUICK['weeks']})")
    ap.add_argument("--reps", type=int, default=None, help="timed runs per query after one warm-up (default 20; quick 5)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workdir", type=Path, default=R.DEFAULT_WORKDIR)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    postings = args.postings or (R.QUICK["postings"] if args.quick else R.DEFAULT_POSTINGS)
    weeks = args.weeks or (R.QUICK["weeks"] if args.quick else R.DEFAULT_WEEKS)
    reps = args.reps or (5 if args.quick else 20)
    db = args.db or published_db(postings, weeks, args.workdir)
    import duckdb
    import os

    con = duckdb.connect(str(db), read_only=True)
    published = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                 for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()}
    n_weeks = con.execute("SELECT count(*) FROM dim_week").fetchone()[0]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.close()
    load_start = os.getloadavg()[0]
    print(f"# {db}: {n_weeks} weeks, {reps} timed runs per query", file=sys.stderr, flush=True)
    res = run(db, reps)
    result = {
        "benchmark": "queries",
        "date": time.strftime("%Y-%m-%d"),
        "command": "benchmarks/queries.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": {**R.machine(), "loadavg_1m_at_start": round(load_start, 2)},
        "versions": {"duckdb": duckdb.__version__},
        "database": str(db),
        "database_mib": round(db.stat().st_size / 2**20, 1),
        "scale": {"postings": None if args.db else postings, "weeks": n_weeks,
                  "input": None if args.db else "clean layer written by benchmarks/scale.py, loaded and published by benchmarks/refresh.py"},
        "table_rows": published,
        "reps": reps,
        "warmup": 1,
        "threads": threads,
        "connection": "duckdb.connect(db, read_only=True), one per query; each run = execute + fetchall",
        **res,
        "quick": args.quick,
    }
    out = args.out or ROOT / "benchmarks" / "results" / ("quick" if args.quick else "") / "queries.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    worst = max(res["queries"], key=lambda q: q["p95_ms"])
    print(f"{res['n_queries']} guide queries on {n_weeks} weeks: worst p95 {worst['p95_ms']} ms ({worst['query'][:60]}); written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
