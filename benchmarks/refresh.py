"""End-to-end weekly refresh against the first one-week build: does the cost of
a refresh grow with the new week or with the history?

Input: the clean layer written directly by the scale generator
(benchmarks/scale.py `write_clean`): N postings over W ISO weeks, each
posting in one week, the same number of postings every week. Scraping and
normalize are skipped (they are per-week by construction and have their
own benchmarks: crawl.py, normalize_throughput.py).

Two runs, each in a fresh subprocess (so both pay the same imports, GX
included), interleaved `--reps` times on the same machine:

- one-week build: week 1 loaded alone into an empty warehouse;
- refresh: week W loaded on top of weeks 1..W-1 (loaded and published once
  beforehand, untimed except as "history setup"). Each repetition refreshes
  a fresh copy of that history (copied untimed), so every one loads a week
  the warehouse has not seen, as the weekly routine does.

Each run is what the weekly DAG does after normalize: warehouse.load.load_weeks
([week]) (staging of the week, dedupe replay (warehouse/dedupe_step.py),
per-week marts, global steps), expectations.validate.validate([week]) and
warehouse.publish.publish(). Per-stage and per-build-step times come from
wrapping those modules' functions in the subprocess (the code under test is
not changed). Target: refresh / one-week ≤ 1.3.

Usage:
    .venv/bin/python benchmarks/refresh.py                             # 1,000,000 postings over 52 weeks
    .venv/bin/python benchmarks/refresh.py --postings 260000 --weeks 52
    .venv/bin/python benchmarks/refresh.py --quick                     # 8 weeks x 1,500 postings (make bench-quick)
Writes benchmarks/results/refresh.json (quick: benchmarks/results/quick/refresh.json)
or --out. Generated data and warehouses are kept in --workdir (default
$TMPDIR/credwatch-bench) and reused while the code they were built with is
unchanged; --fresh rebuilds them. benchmarks/queries.py reads the published
database this leaves behind.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from credwatch.weeks import shift, week_range  # noqa: E402
from snapshot.planted import CALENDAR, SEED  # noqa: E402

DEFAULT_POSTINGS = 1_000_000
DEFAULT_WEEKS = 52
QUICK = {"postings": 12_000, "weeks": 8, "reps": 1}
TARGET_RATIO = 1.3
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "credwatch-bench"
# What a warehouse built earlier depends on: reuse it only while these are unchanged.
CODE_INPUTS = ("warehouse", "transforms", "expectations", "config", "credwatch/settings.py", "benchmarks/scale.py")


# --------------------------------------------------------------------------- inputs


def weeks_of(n_weeks: int, first: str = CALENDAR[0]) -> list[str]:
    return week_range(first, shift(first, n_weeks - 1))


def code_hash() -> str:
    h = hashlib.sha256()
    for name in CODE_INPUTS:
        p = ROOT / name
        files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in (".py", ".sql", ".yml", ".yaml", ".csv"))
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def dataset(workdir: Path, postings: int, n_weeks: int, seed: int = SEED, fresh: bool = False) -> tuple[Path, dict]:
    """The clean lake for (postings, weeks, seed), generated once and reused. Returns (lake, info)."""
    lake = workdir / f"clean-{postings}x{n_weeks}-s{seed}" / "lake"
    marker = lake.parent / "dataset.json"
    scale_hash = hashlib.sha256((ROOT / "benchmarks" / "scale.py").read_bytes()).hexdigest()[:16]
    if not fresh and marker.exists():
        info = json.loads(marker.read_text())
        if info.get("scale_py") == scale_hash and all((lake / "clean" / f"week={w}" / "postings.parquet").exists() for w in weeks_of(n_weeks)):
            info["reused"] = True
            return lake, info
    from benchmarks.scale import write_clean

    print(f"# generating {postings:,} postings over {n_weeks} weeks into {lake} (benchmarks/scale.py clean)", file=sys.stderr, flush=True)
    out = write_clean(lake, postings=postings, weeks=n_weeks, seed=seed)
    info = {"postings": out["postings"], "weeks": out["weeks"], "seed": seed, "generation_s": out["seconds"],
            "postings_per_week": {w["week"]: w["postings"] for w in out["per_week"]},
            "mentions": sum(w["mentions"] for w in out["per_week"]), "scale_py": scale_hash}
    marker.write_text(json.dumps(info, indent=2))
    info["reused"] = False
    return lake, info


# --------------------------------------------------------------------------- one measured run (child process)


def _instrumented_run(load: list[str], validate_weeks: list[str] | None, do_publish: bool) -> dict:
    """load_weeks(load) [+ validate(validate_weeks)] [+ publish()], timing every stage."""
    import warehouse.dedupe_step as D
    import warehouse.load as L
    import warehouse.publish as P
    from warehouse.models import step_scope

    # Wall and CPU seconds (time.process_time: this process and its threads, DuckDB's
    # included). On a shared machine CPU seconds are the steadier measure of cost.
    steps: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    parts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    scope: dict[str, str] = {}

    def add(acc, key, t, c):
        acc[key][0] += time.perf_counter() - t
        acc[key][1] += time.process_time() - c

    def wrap(module, name, key):
        orig = getattr(module, name)

        def timed(*a, **kw):
            t, c = time.perf_counter(), time.process_time()
            try:
                return orig(*a, **kw)
            finally:
                add(parts, key, t, c)
        setattr(module, name, timed)

    orig_run_step = L.run_step

    def run_step(con, step, params=None):
        t, c = time.perf_counter(), time.process_time()
        try:
            return orig_run_step(con, step, params)
        finally:
            scope.setdefault(step.name, step_scope(step))
            add(steps, step.name, t, c)
            add(parts, f"load.{scope[step.name]}", t, c)

    L.run_step = run_step
    wrap(D, "replay", "load.dedupe_replay")
    wrap(D, "write_tables", "load.dedupe_write")
    wrap(L, "refresh_dim_credential", "load.dim_credential")
    # Checksum passes (_sums; table_checksum calls it) inside _build: publish.copy is
    # _build less those. The export's own passes stay in publish.export_parquet.
    in_build = [False]
    orig_build, orig_sums = P._build, P._sums

    def build(*a, **kw):
        in_build[0] = True
        try:
            return orig_build(*a, **kw)
        finally:
            in_build[0] = False

    def sums(*a, **kw):
        if not in_build[0]:
            return orig_sums(*a, **kw)
        t, c = time.perf_counter(), time.process_time()
        try:
            return orig_sums(*a, **kw)
        finally:
            add(parts, "publish.checksum", t, c)

    P._build, P._sums = build, sums
    wrap(P, "_build", "publish.build")
    wrap(P, "_export", "publish.export_parquet")

    out: dict = {}
    t, c = time.perf_counter(), time.process_time()
    res = L.load_weeks(load)
    add(parts, "load", t, c)
    out["load_result"] = {"postings_by_week": res["postings_by_week"], "marts_rebuilt": res["marts_rebuilt"],
                          "dedupe_replayed": res["dedupe_replayed"]}
    if validate_weeks is not None:
        from expectations.validate import QualityGateFailed, quality_dir, validate

        t, c = time.perf_counter(), time.process_time()
        try:
            stats = validate(validate_weeks)
        except QualityGateFailed:
            # Every suite ran before the gate raised: the time is the gate's full cost. The
            # failures concern the generated data (see "gate_failures"); publish is still
            # measured, as the routine would after a pass.
            stats = json.loads((quality_dir() / "last_validation.json").read_text())
        add(parts, "validate", t, c)
        out["gate_failures"] = [f[:300] for f in stats["failures"]]
        out["validate_suites_s"] = {k: v["seconds"] for k, v in stats["suites"].items()}
        out["validate_rows"] = {k: v["rows"] for k, v in stats["suites"].items()}
        out["expectations"] = stats["expectations"]
    if do_publish:
        t, c = time.perf_counter(), time.process_time()
        manifest = P.publish()
        add(parts, "publish", t, c)
        out["published_rows"] = {k: v["rows"] for k, v in manifest["tables"].items()}
    for i, kind in ((0, "stages_s"), (1, "stages_cpu_s")):
        p = {k: v[i] for k, v in parts.items()}
        load_parts = ("staging", "dedupe_replay", "dedupe_write", "mart", "global", "dim_credential")
        stages = {"load": p["load"]}
        for k in load_parts:
            stages[f"load.{k}"] = p.get(f"load.{k}", 0.0)
        stages["load.other"] = p["load"] - sum(stages[f"load.{k}"] for k in load_parts)
        if "validate" in p:
            stages["validate"] = p["validate"]
        if "publish" in p:
            stages["publish"] = p["publish"]
            stages["publish.copy"] = p.get("publish.build", 0.0) - p.get("publish.checksum", 0.0)
            stages["publish.checksum"] = p.get("publish.checksum", 0.0)
            stages["publish.export_parquet"] = p.get("publish.export_parquet", 0.0)
            stages["publish.other"] = p["publish"] - p.get("publish.build", 0.0) - p.get("publish.export_parquet", 0.0)
        stages["total"] = sum(p.get(k, 0.0) for k in ("load", "validate", "publish"))
        out[kind] = {k: round(v, 3) for k, v in stages.items()}
        out[kind.replace("stages", "steps")] = {k: round(v[i], 3) for k, v in sorted(steps.items())}
    out["step_scope"] = scope
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def run_child(lake: Path, warehouse: Path, load: list[str], validate: bool, publish: bool) -> dict:
    """One run in a fresh process with CREDWATCH_LAKE / CREDWATCH_WAREHOUSE pointed at the benchmark's folders."""
    env = {**os.environ, "CREDWATCH_LAKE": str(lake), "CREDWATCH_WAREHOUSE": str(warehouse),
           "GX_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result_path = Path(fh.name)
    cmd = [sys.executable, str(Path(__file__).resolve()), "_child", "--result", str(result_path), "--load", *load]
    if validate:
        cmd.append("--validate")
    if publish:
        cmd.append("--publish")
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark run {' '.join(cmd[2:])} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    out = json.loads(result_path.read_text())
    result_path.unlink(missing_ok=True)
    out["process_wall_s"] = round(wall, 2)
    return out


# --------------------------------------------------------------------------- the benchmark


def history(workdir: Path, lake: Path, info: dict, all_weeks: list[str], fresh: bool) -> tuple[Path, dict]:
    """Warehouse with weeks 1..W-1 loaded and published (reused while the code is unchanged)."""
    wh = lake.parent.parent / f"refresh-{info['postings']}x{info['weeks']}-s{info['seed']}" / "history"
    marker = wh / "bench-history.json"
    h = code_hash()
    if not fresh and marker.exists():
        m = json.loads(marker.read_text())
        if m.get("code") == h and m.get("weeks") == all_weeks[:-1]:
            return wh, {**m, "reused": True}
    shutil.rmtree(wh, ignore_errors=True)
    wh.mkdir(parents=True)
    print(f"# loading history: {len(all_weeks) - 1} weeks ({all_weeks[0]}..{all_weeks[-2]}) into {wh}", file=sys.stderr, flush=True)
    run = run_child(lake, wh, all_weeks[:-1], validate=False, publish=True)
    m = {"code": h, "weeks": all_weeks[:-1], "load_s": round(run["stages_s"]["load"], 1),
         "publish_s": round(run["stages_s"]["publish"], 1), "peak_rss_mib": run["peak_rss_mib"],
         "published_rows": run["published_rows"]}
    marker.write_text(json.dumps(m, indent=2))
    return wh, {**m, "reused": False}


def restore(wh_hist: Path) -> Path:
    """A fresh copy of the history warehouse to refresh in (returned), so that
    every repetition loads a week the warehouse has never seen: a rerun of a
    loaded week would find its export partitions and dedupe state already
    there and measure a rerun, not a weekly refresh. The copy is untimed."""
    run = wh_hist.parent / "refresh-run"
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(wh_hist, run)
    os.sync()  # the copy's dirty pages written back now, not during the timed run
    return run


def run_copy_current(wh_hist: Path) -> Path | None:
    """The refresh copy when it was made from the current history (same marker), else None."""
    run = wh_hist.parent / "refresh-run"
    marker = "bench-history.json"
    if (run / marker).exists() and (run / marker).read_bytes() == (wh_hist / marker).read_bytes():
        return run
    return None


def _median(runs: list[dict], key: str) -> dict[str, float]:
    keys = sorted(set().union(*(r[key] for r in runs)), key=list(runs[0][key]).index if key.startswith("stages") else None)
    return {k: round(statistics.median(r[key].get(k, 0.0) for r in runs), 3) for k in keys}


def _compare(one_runs: list[dict], refresh_runs: list[dict], unit: str) -> dict:
    """Median stages of both runs, their ratio and which stages and steps make the difference."""
    sk, tk = ("stages_s", "steps_s") if unit == "wall" else ("stages_cpu_s", "steps_cpu_s")
    one, ref = _median(one_runs, sk), _median(refresh_runs, sk)
    one_steps, ref_steps = _median(one_runs, tk), _median(refresh_runs, tk)
    extra = ref["total"] - one["total"]
    leaf = [k for k in ref if k.count(".") == 1 or k == "validate"]
    scope = {**one_runs[0]["step_scope"], **refresh_runs[0]["step_scope"]}
    return {
        "ratio": round(ref["total"] / one["total"], 2),
        "one_week_s": one,
        "refresh_s": ref,
        "stage_ratios": {k: round(ref[k] / one[k], 2) if one.get(k) else None for k in ref},
        "growth_by_stage": sorted(({"stage": k, "one_week_s": one.get(k, 0.0), "refresh_s": ref[k],
                                    "extra_s": round(ref[k] - one.get(k, 0.0), 3),
                                    "share_of_extra": round((ref[k] - one.get(k, 0.0)) / extra, 3) if extra > 0 else None}
                                   for k in leaf), key=lambda r: -r["extra_s"]),
        "growth_by_step": sorted(({"step": k, "scope": scope.get(k), "one_week_s": one_steps.get(k, 0.0),
                                   "refresh_s": ref_steps.get(k, 0.0), "extra_s": round(ref_steps.get(k, 0.0) - one_steps.get(k, 0.0), 3)}
                                  for k in set(one_steps) | set(ref_steps)), key=lambda r: -r["extra_s"]),
        "runs_total_s": {"one_week": [r[sk]["total"] for r in one_runs], "refresh": [r[sk]["total"] for r in refresh_runs]},
    }


def benchmark(postings: int, n_weeks: int, reps: int, workdir: Path, fresh: bool = False) -> dict:
    if n_weeks < 2:
        raise SystemExit("--weeks must be at least 2 (one week of history and the new week)")
    workdir.mkdir(parents=True, exist_ok=True)
    all_weeks = weeks_of(n_weeks)
    t0 = time.perf_counter()
    lake, info = dataset(workdir, postings, n_weeks, fresh=fresh)
    gen_s = time.perf_counter() - t0
    wh_hist, hist = history(workdir, lake, info, all_weeks, fresh)
    first, new = all_weeks[0], all_weeks[-1]
    wh_one = wh_hist.parent / "one-week"
    one_runs, refresh_runs = [], []
    load_start = os.getloadavg()[0]
    for i in range(reps):
        shutil.rmtree(wh_one, ignore_errors=True)
        wh_one.mkdir(parents=True)
        print(f"# rep {i + 1}/{reps}: one-week build of {first} into an empty warehouse", file=sys.stderr, flush=True)
        one_runs.append(run_child(lake, wh_one, [first], validate=True, publish=True))
        print(f"# rep {i + 1}/{reps}: refresh of {new} on top of {len(all_weeks) - 1} weeks", file=sys.stderr, flush=True)
        refresh_runs.append(run_child(lake, restore(wh_hist), [new], validate=True, publish=True))
    wall, cpu = _compare(one_runs, refresh_runs, "wall"), _compare(one_runs, refresh_runs, "cpu")
    import duckdb
    import polars as pl

    ppw = info["postings_per_week"]
    return {
        "benchmark": "refresh",
        "date": time.strftime("%Y-%m-%d"),
        "command": "benchmarks/refresh.py " + " ".join(sys.argv[1:]),
        "machine": {**machine(), "loadavg_1m_at_start": round(load_start, 2)},
        "versions": {"duckdb": duckdb.__version__, "polars": pl.__version__},
        "scale": {"postings": info["postings"], "weeks": n_weeks, "seed": info["seed"],
                  "postings_week_1": ppw[first], "postings_new_week": ppw[new], "history_weeks": n_weeks - 1,
                  "input": "clean layer written by benchmarks/scale.py (scrape and normalize skipped)"},
        "reps": reps,
        "what": {"one_week": f"load_weeks([{first}]) + validate([{first}]) + publish() into an empty warehouse",
                 "refresh": f"load_weeks([{new}]) + validate([{new}]) + publish() with {all_weeks[0]}..{all_weeks[-2]} loaded"},
        "target_ratio": TARGET_RATIO,
        # Headline: wall-clock ratio of the medians; cpu: the same with process CPU seconds
        # (steadier when other work shares the machine).
        "ratio": wall["ratio"],
        "ratio_cpu": cpu["ratio"],
        "target_met": wall["ratio"] <= TARGET_RATIO,
        "target_met_cpu": cpu["ratio"] <= TARGET_RATIO,
        "wall": wall,
        "cpu": cpu,
        "peak_rss_mib": {"one_week": max(r["peak_rss_mib"] for r in one_runs), "refresh": max(r["peak_rss_mib"] for r in refresh_runs),
                         "history_setup": hist["peak_rss_mib"]},
        "validate_suites_s": {"one_week": one_runs[-1].get("validate_suites_s"), "refresh": refresh_runs[-1].get("validate_suites_s")},
        "validate_rows": {"one_week": one_runs[-1].get("validate_rows"), "refresh": refresh_runs[-1].get("validate_rows")},
        "gate_failures": {"one_week": one_runs[-1].get("gate_failures"), "refresh": refresh_runs[-1].get("gate_failures")},
        "published_rows": {"one_week": one_runs[-1]["published_rows"], "refresh": refresh_runs[-1]["published_rows"]},
        # Which weeks each run rebuilt: a posting seen again after a gap (a repost joins a
        # canonical posting last seen up to repost_max_gap_weeks ago) makes it active in the
        # weeks between, so the refresh rebuilds those weeks' marts and inflation too.
        "rebuilt": {"one_week": one_runs[-1]["load_result"], "refresh": refresh_runs[-1]["load_result"]},
        "setup": {"generation_s": round(gen_s, 1) if not info.get("reused") else None, "generation_reused": info.get("reused"),
                  "history_load_s": hist["load_s"], "history_publish_s": hist["publish_s"], "history_reused": hist["reused"]},
        "published_db": str(wh_hist / "credwatch.duckdb"),
    }


def machine() -> dict:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "ram_gib": mem, "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_1m": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Weekly refresh vs one-week build (see the module docstring).")
    sub = ap.add_subparsers(dest="cmd")
    child = sub.add_parser("_child", help="internal: one measured run (env points at lake and warehouse)")
    child.add_argument("--result", type=Path, required=True)
    child.add_argument("--load", nargs="+", required=True)
    child.add_argument("--validate", action="store_true")
    child.add_argument("--publish", action="store_true")
    ap.add_argument("--postings", type=int, default=None, help=f"postings in all (default {DEFAULT_POSTINGS:,}; quick {QUICK['postings']:,})")
    ap.add_argument("--weeks", type=int, default=None, help=f"ISO weeks, the last one is the refresh (default {DEFAULT_WEEKS}; quick {QUICK['weeks']})")
    ap.add_argument("--reps", type=int, default=None, help="interleaved repetitions of both runs; medians are reported (default 3; quick 1)")
    ap.add_argument("--quick", action="store_true", help="small scale for make bench-quick")
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help=f"generated data and warehouses (default {DEFAULT_WORKDIR})")
    ap.add_argument("--fresh", action="store_true", help="regenerate the data and reload the history")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.cmd == "_child":
        weeks = sorted(args.load)
        res = _instrumented_run(weeks, weeks if args.validate else None, args.publish)
        args.result.write_text(json.dumps(res))
        return 0
    postings = args.postings or (QUICK["postings"] if args.quick else DEFAULT_POSTINGS)
    n_weeks = args.weeks or (QUICK["weeks"] if args.quick else DEFAULT_WEEKS)
    reps = args.reps or (QUICK["reps"] if args.quick else 3)
    out = args.out or ROOT / "benchmarks" / "results" / ("quick" if args.quick else "") / "refresh.json"
    result = benchmark(postings, n_weeks, reps, args.workdir, args.fresh)
    result["quick"] = args.quick
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    one, ref = result["wall"]["one_week_s"], result["wall"]["refresh_s"]
    one_c, ref_c = result["cpu"]["one_week_s"], result["cpu"]["refresh_s"]
    print(f"refresh of week {result['scale']['weeks']} on {result['scale']['history_weeks']} weeks of history "
          f"({result['scale']['postings']:,} postings): {ref['total']:.1f} s vs one-week build {one['total']:.1f} s "
          f"-> ratio {result['ratio']} wall, {result['ratio_cpu']} CPU (target <= {TARGET_RATIO}: "
          f"{'met' if result['target_met'] else 'MISSED'})")
    print(f"  weeks rebuilt by the refresh: {result['rebuilt']['refresh'].get('marts_rebuilt')}")
    print(f"  {'stage':28s} {'one-week s':>10s} {'refresh s':>10s} {'one-week cpu':>12s} {'refresh cpu':>12s}")
    for k in ref:
        print(f"  {k:28s} {one.get(k, 0):10.2f} {ref[k]:10.2f} {one_c.get(k, 0):12.2f} {ref_c.get(k, 0):12.2f}")
    print(f"# written {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
