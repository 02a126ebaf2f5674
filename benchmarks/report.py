"""Render docs/benchmarks.md sections from benchmarks/results/*.json, and check
the quick results against benchmarks/floors.yml.

    .venv/bin/python benchmarks/report.py            # update docs/benchmarks.md (make bench)
    .venv/bin/python benchmarks/report.py --check    # compare results/quick/* with floors.yml (make bench-quick)

The generated parts of the doc sit between `<!-- BEGIN report.py: <name> -->`
and `<!-- END report.py: <name> -->` lines and are replaced on every run;
everything else in the file (sections other benchmarks' authors wrote: Crawl,
Reliability, Real replay, ...) is kept as is. A section whose result file is
absent is left unchanged. Normalize + extract and Real replay get a generated
section only when the doc has no hand-written section of that name.

Inputs (each written by the command named in it):
- results/refresh.json, results/queries.json (benchmarks/refresh.py, queries.py);
- results/normalize_throughput.json (benchmarks/normalize_throughput.py);
- results/crawl.txt: the stdout of benchmarks/crawl.py (its `# crawl N: {json}` lines);
- results/replay_greenhouse.json (benchmarks/replay_greenhouse.py --json).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
FLOORS = ROOT / "benchmarks" / "floors.yml"


# --------------------------------------------------------------------------- inputs


def load(name: str, folder: Path = RESULTS) -> dict | None:
    path = folder / name
    if not path.exists():
        return None
    if name.endswith(".txt"):
        return crawl_from_text(path.read_text(encoding="utf-8"))
    return json.loads(path.read_text(encoding="utf-8"))


def crawl_from_text(text: str) -> dict | None:
    """benchmarks/crawl.py's stdout -> {"baseline": {...}, "runs": [{...}], "machine": "..."}."""
    out: dict = {"runs": []}
    for line in text.splitlines():
        if m := re.match(r"# crawl (\d+): (\{.*\})$", line):
            out["runs"].append(json.loads(m.group(2)))
        elif m := re.match(r"# baseline [^:]*: (\{.*\})$", line):
            out["baseline"] = json.loads(m.group(1))
        elif line.startswith("# machine: "):
            out["machine"] = line[len("# machine: "):]
    return out if out["runs"] else None


# --------------------------------------------------------------------------- sections


def _f(x, nd=1) -> str:
    return "–" if x is None else f"{x:,.{nd}f}"


def _ram_gib() -> float:
    return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)


def machine_section(results: dict[str, dict]) -> str:
    import duckdb
    import polars as pl

    m = next((results[k]["machine"] for k in ("refresh", "queries", "normalize") if isinstance(results.get(k, {}).get("machine"), dict)), {})
    m = {**next((results[k]["machine"] for k in ("queries", "refresh") if k in results), {}), **m}
    dates = sorted({r["date"] for r in results.values() if isinstance(r, dict) and r.get("date")})
    rows = []
    if r := results.get("crawl"):
        best = max(r["runs"], key=lambda x: x["postings"])
        rows.append(("crawl", "`.venv/bin/python benchmarks/crawl.py --unthrottled > benchmarks/results/crawl.txt`",
                     f"{best['pages_per_s']} pages/s at {best['postings']:,} postings ({best['ratio']:.2f}x the stdlib baseline), "
                     f"peak RSS {best['peak_rss_mb']} MiB", "results/crawl.txt"))
    if r := results.get("normalize"):
        rows.append(("normalize + extract", f"`.venv/bin/python benchmarks/normalize_throughput.py --postings {r['postings']}"
                     f"{'' if r['baseline']['postings'] == 500 else ' --baseline-postings ' + str(r['baseline']['postings'])}`",
                     f"{r['postings_per_s']:,} postings/s on {r['postings']:,} postings ({r['speedup_vs_baseline']}x the per-posting regex "
                     f"baseline), peak RSS {r['peak_rss_mib']:,} MiB", "results/normalize_throughput.json"))
    if r := results.get("refresh"):
        s = r["scale"]
        rows.append(("weekly refresh", f"`.venv/bin/python {r['command']}`".replace("python benchmarks/refresh.py ", "python benchmarks/refresh.py ").strip(),
                     f"refresh of week {s['weeks']} on {s['history_weeks']} weeks = {r['ratio']}x wall / {r['ratio_cpu']}x CPU "
                     f"the one-week build ({s['postings']:,} postings; target ≤ {r['target_ratio']}x: "
                     f"{'met' if r['target_met'] and r['target_met_cpu'] else 'missed' if not (r['target_met'] or r['target_met_cpu']) else 'mixed'})",
                     "results/refresh.json"))
    if r := results.get("queries"):
        worst = max(r["queries"], key=lambda q: q["p95_ms"])
        p50s = sorted(q["p50_ms"] for q in r["queries"])
        rows.append(("analyst queries", f"`.venv/bin/python {r['command'].strip()}`",
                     f"{r['n_queries']} guide queries on {r['scale']['weeks']} weeks: p50 {p50s[0]}–{p50s[-1]} ms, worst p95 "
                     f"{worst['p95_ms']} ms", "results/queries.json"))
    if r := results.get("replay"):
        rows.append(("real replay (Greenhouse)", "`.venv/bin/python benchmarks/replay_greenhouse.py --json benchmarks/results/replay_greenhouse.json`",
                     "see *Real replay*", "results/replay_greenhouse.json"))
    lines = [
        "## Summary (generated)",
        "",
        f"`make bench` reruns every benchmark below and regenerates this block and the sections marked as generated "
        f"(benchmarks/report.py, from `benchmarks/results/`). `make bench-quick` (< 2 minutes on an idle 2-core machine) "
        f"runs small versions and fails when a ratio falls below its floor in `benchmarks/floors.yml`.",
        "",
        f"**Machine.** {m.get('nproc', '?')} CPUs (`nproc`), {m.get('ram_gib', _ram_gib())} GiB RAM, {m.get('platform', platform.platform())}; "
        f"Python {m.get('python', platform.python_version())}, DuckDB {duckdb.__version__}, Polars {pl.__version__}. "
        f"Results dated {', '.join(dates) or '?'}. The machine was shared with other work while these ran"
        + (f" (1-minute load average at the start of the refresh run: {load} on 2 cores)"
           if (load := results.get('refresh', {}).get('machine', {}).get('loadavg_1m_at_start')) is not None else
           " (each section gives the load it ran under)")
        + ", so absolute times are inflated and noisy; the ratios compare runs made in the same process tree, "
        f"interleaved, in the same minutes.",
        "",
        "| benchmark | command | figure | result file |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | `benchmarks/{d}` |" for a, b, c, d in rows],
    ]
    return "\n".join(lines)


def refresh_section(r: dict) -> str:
    s, w, c = r["scale"], r["wall"], r["cpu"]
    label = {
        "load": "load (warehouse.load.load_weeks)", "load.staging": "  staging steps (10, 20-22, 40-41, 70)",
        "load.dedupe_replay": "  dedupe replay (dedupe_step.replay)", "load.dedupe_write": "  dedupe tables (dedupe_step.write_tables)",
        "load.mart": "  per-week mart steps (30-32, 50, 56, 60, 61, 71)", "load.global": "  global steps (55, 68, 69, 90-94)",
        "load.dim_credential": "  dim_credential refresh", "load.other": "  schema check, transaction, commit",
        "validate": "validate (expectations.validate, GX import included)", "publish": "publish (warehouse.publish)",
        "publish.copy": "  copy tables into the new file", "publish.checksum": "  table checksums (manifest)",
        "publish.export_parquet": "  Parquet exports", "publish.other": "  fsync, swap, stale temporaries", "total": "**total**",
    }
    rows = [f"| {label.get(k, k)} | {_f(w['one_week_s'][k], 2)} | {_f(w['refresh_s'][k], 2)} | {_f(w['stage_ratios'][k], 2)} | "
            f"{_f(c['one_week_s'][k], 2)} | {_f(c['refresh_s'][k], 2)} | {_f(c['stage_ratios'][k], 2)} |" for k in w["refresh_s"]]
    steps = [g for g in c["growth_by_step"] if g["extra_s"] > 0][:8]
    step_rows = [f"| `{g['step']}` | {g['scope']} | {_f(g['one_week_s'], 2)} | {_f(g['refresh_s'], 2)} | +{_f(g['extra_s'], 2)} |" for g in steps]
    grow = [g for g in c["growth_by_stage"] if g["extra_s"] > 0][:5]
    failures = sorted(set((r.get("gate_failures") or {}).get("refresh") or []))
    verdict = ("met" if r["target_met"] and r["target_met_cpu"] else
               "missed" if not (r["target_met"] or r["target_met_cpu"]) else "met on one measure only")
    lines = [
        "## Weekly refresh vs one-week build (generated)",
        "",
        f"**Command**: `.venv/bin/python {r['command'].strip()}` (`make bench`; `--quick` in `make bench-quick`).",
        "",
        f"**What is measured.** {s['postings']:,} postings over {s['weeks']} ISO weeks (week 1: {s['postings_week_1']:,} postings, "
        f"the new week: {s['postings_new_week']:,}), written as the clean layer directly by `benchmarks/scale.py clean` — "
        f"scraping and normalize are skipped (they are per-week by construction and measured above). "
        f"*One-week build*: {r['what']['one_week']}. *Refresh*: {r['what']['refresh']}. "
        f"Each run is a fresh process (both pay the same imports), the two are interleaved {r['reps']} time(s) and the "
        f"medians are shown; per-stage times come from wrapping the warehouse functions in that process. "
        f"CPU = process CPU seconds (all threads), steadier than wall time on a shared machine.",
        "",
        f"**Result: refresh = {r['ratio']}x the one-week build in wall time, {r['ratio_cpu']}x in CPU time "
        f"(target ≤ {r['target_ratio']}x: {verdict}).** Measured {r['date']}, load average {r['machine'].get('loadavg_1m_at_start')} "
        f"at the start on {r['machine']['nproc']} cores; peak RSS one-week {r['peak_rss_mib']['one_week']} MiB, "
        f"refresh {r['peak_rss_mib']['refresh']} MiB.",
        "",
        "| stage | one-week s | refresh s | ratio | one-week CPU s | refresh CPU s | CPU ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "**What grows with history** (CPU seconds, largest difference first):",
        "",
        *[f"- {g['stage']}: +{_f(g['extra_s'], 2)} s ({_f(100 * g['share_of_extra'], 0) if g['share_of_extra'] is not None else '–'} % of the difference)" for g in grow],
        "",
        "| build step | scope | one-week CPU s | refresh CPU s | extra |",
        "|---|---|---:|---:|---:|",
        *step_rows,
        "",
        *_rebuilt_line(r),
        f"Setup, not part of the ratio: loading the {s['history_weeks']} weeks of history in one `load_weeks` call took "
        f"{r['setup']['history_load_s']} s and publishing them {r['setup']['history_publish_s']} s (wall).",
    ]
    if failures:
        lines += ["", "The quality gate ran every suite (its time is counted) but failed on the generated data, for "
                      "reasons of the generator, not of the refresh; publish was measured anyway:",
                  *[f"- {f[:220]}…" if len(f) > 220 else f"- {f}" for f in failures]]
    return "\n".join(lines)


def _rebuilt_line(r: dict) -> list[str]:
    """What the refresh rebuilt (results written before it was recorded have none)."""
    got = (r.get("rebuilt") or {}).get("refresh")
    if not got:
        return []
    marts = got.get("marts_rebuilt") or []
    what = ("only the new week" if len(marts) == 1 else
            f"{len(marts)} weeks ({marts[0]}..{marts[-1]}): a posting seen again after a gap is active in the "
            f"weeks between, so their marts and inflation rows are rebuilt")
    return [f"Weeks the refresh rebuilt: {what}; dedupe replayed {', '.join(got.get('dedupe_replayed') or []) or 'none'}.", ""]


def queries_section(r: dict) -> str:
    rows = [f"| {q['query'].split('.')[0]} | {q['query'].split('. ', 1)[-1]} | {q['rows']:,} | {_f(q['first_run_ms'])} | "
            f"{_f(q['p50_ms'])} | {_f(q['p95_ms'])} |" for q in r["queries"]]
    t = r["table_rows"]
    sizes = ", ".join(f"{k} {t[k]:,}" for k in ("credential_demand_weekly", "postings_weekly", "skill_demand_weekly",
                                                 "skill_credential_cooccurrence", "credential_supply_weekly", "posting_lineage") if k in t)
    empty = [q["query"].split(".")[0] for q in r["queries"] if q["rows"] == 0]
    lines = [
        "## Analyst queries (generated)",
        "",
        f"**Command**: `.venv/bin/python {r['command'].strip()}` (after `benchmarks/refresh.py`, whose published database it reads).",
        "",
        f"**What is measured.** The ten ```sql blocks of [analyst-guide.md](analyst-guide.md), read from the guide at run time, "
        f"on the published database of {r['scale']['weeks']} weeks"
        + (f" × {r['scale']['postings']:,} postings" if r["scale"].get("postings") else "")
        + f" ({r['database_mib']} MiB; {sizes} rows). {r['connection']}; one warm-up run, then {r['reps']} timed runs; "
        f"p50 / p95 are nearest-rank percentiles of those runs; *first run* is the cold run on a new connection. "
        f"DuckDB {r['versions']['duckdb']}, {r['threads']} threads. Measured {r['date']}, load average "
        f"{r['machine'].get('loadavg_1m_at_start')} at the start (shared machine).",
        "",
        "| # | question | rows | first run ms | p50 ms | p95 ms |",
        "|---:|---|---:|---:|---:|---:|",
        *rows,
    ]
    if empty:
        lines += ["", f"Queries {', '.join(empty)} return no rows here, so they measure the scan, not the result size."]
    lines += ["", "The data is benchmarks/scale.py's clean layer: credential and degree mentions from the generator's truth, "
                  "the skill mentions transforms.skills finds on the generated skill lines, and the demo catalogs' "
                  "offerings each week (supply)."]
    return "\n".join(lines)


def normalize_section(r: dict) -> str:
    b = r["baseline"]
    return "\n".join([
        "## Normalize + extract (generated)",
        "",
        f"**Command**: `.venv/bin/python benchmarks/normalize_throughput.py --postings {r['postings']}`. "
        f"{r['postings']:,} postings: {r['postings_per_s']:,} postings/s ({r['postings_per_cpu_s']:,} per CPU second), "
        f"peak RSS {r['peak_rss_mib']:,} MiB; per-posting regex baseline in the same run: {b['postings_per_s']} postings/s "
        f"on {b['postings']:,} postings → {r['speedup_vs_baseline']}x. Measured {r['date']}.",
    ])


def replay_section(r: dict) -> str:
    body = json.dumps({k: v for k, v in r.items() if not isinstance(v, (list, dict))}, indent=2, default=str)
    return "\n".join(["## Real replay (generated)", "", "**Command**: `.venv/bin/python benchmarks/replay_greenhouse.py "
                      "--json benchmarks/results/replay_greenhouse.json`", "", "```json", body, "```"])


# --------------------------------------------------------------------------- the doc


def _block(name: str, body: str) -> str:
    return (f"<!-- BEGIN report.py: {name} (generated from benchmarks/results/; edit benchmarks/report.py, not this block) -->\n"
            f"{body.rstrip()}\n<!-- END report.py: {name} -->")


def _has_handwritten(doc: str, heading: str) -> bool:
    outside = re.sub(r"<!-- BEGIN report\.py:.*?<!-- END report\.py: [^>]*-->", "", doc, flags=re.S)
    return re.search(rf"^## {heading}", outside, re.M | re.I) is not None


def put(doc: str, name: str, body: str, at_top: bool = False) -> str:
    pat = re.compile(rf"<!-- BEGIN report\.py: {re.escape(name)} .*?<!-- END report\.py: {re.escape(name)} -->", re.S)
    block = _block(name, body)
    if pat.search(doc):
        return pat.sub(lambda _: block, doc, count=1)
    if at_top:  # before the first section
        m = re.search(r"^## ", doc, re.M)
        if m:
            return doc[: m.start()] + block + "\n\n" + doc[m.start():]
    return doc.rstrip() + "\n\n" + block + "\n"


def render(doc: str, folder: Path = RESULTS) -> str:
    results = {k: v for k, v in {
        "crawl": load("crawl.txt", folder), "normalize": load("normalize_throughput.json", folder),
        "refresh": load("refresh.json", folder), "queries": load("queries.json", folder),
        "replay": load("replay_greenhouse.json", folder),
    }.items() if v}
    doc = put(doc, "summary", machine_section(results), at_top=True)
    if "normalize" in results and not _has_handwritten(doc, "normali"):
        doc = put(doc, "normalize", normalize_section(results["normalize"]))
    if "refresh" in results:
        doc = put(doc, "refresh", refresh_section(results["refresh"]))
    if "queries" in results:
        doc = put(doc, "queries", queries_section(results["queries"]))
    if "replay" in results and not _has_handwritten(doc, "real replay"):
        doc = put(doc, "replay", replay_section(results["replay"]))
    return doc


# --------------------------------------------------------------------------- the guard


def metric(result: dict, path: str):
    """'a.b' -> result['a']['b']; 'inverse:a.b' -> 1 / that."""
    inverse = path.startswith("inverse:")
    v = result
    for part in path.removeprefix("inverse:").split("."):
        v = v[part]
    return 1 / v if inverse else v


def check(folder: Path = RESULTS / "quick", floors_path: Path = FLOORS) -> list[str]:
    """Messages for every floor not met (missing results count as failures)."""
    floors = yaml.safe_load(floors_path.read_text(encoding="utf-8"))["floors"]
    problems = []
    for name, f in floors.items():
        res = load(f["file"], folder)
        if res is None:
            problems.append(f"{name}: no result {folder / f['file']}; run `{f['command']}`")
            continue
        values = [metric(r, f["metric"]) for r in res["runs"]] if f.get("per_run") else [metric(res, f["metric"])]
        for v in values:
            ok = v >= f["floor"]
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {f['metric']} = {v:.3f} (floor {f['floor']}) — {f['what']}")
            if not ok:
                problems.append(f"{name}: {f['metric']} = {v:.3f} is below its floor {f['floor']} ({f['what']}); "
                                f"rerun `{f['command']}`, and if it holds, find the regression before lowering {floors_path.name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render docs/benchmarks.md from benchmarks/results/, or check quick results against floors.yml.")
    ap.add_argument("--check", action="store_true", help="compare benchmarks/results/quick/ with benchmarks/floors.yml; exit 1 below a floor")
    ap.add_argument("--results", type=Path, default=None, help="results folder (default benchmarks/results, quick/ with --check)")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args(argv)
    if args.check:
        problems = check(args.results or RESULTS / "quick")
        for p in problems:
            print(f"bench-quick: {p}", file=sys.stderr)
        return 1 if problems else 0
    doc = args.doc.read_text(encoding="utf-8") if args.doc.exists() else "# Benchmarks\n"
    new = render(doc, args.results or RESULTS)
    args.doc.write_text(new, encoding="utf-8")
    print(f"updated {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
