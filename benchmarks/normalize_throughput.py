"""Throughput of the full normalize + extract stage (transforms.normalize.normalize_postings,
what normalize_week runs on a week) on generated postings, against a plain
per-posting Python `re` baseline measured in the same run.

Postings: the offline snapshot's text builder (snapshot.generator.Snapshot.bench_posting,
the code that writes the demo's postings) makes a pool of distinct postings
over several weeks; each generated posting takes one of them and varies it
(title prefix/suffix, 1-3 extra requirement lines from a pool of real-looking
skill lines with the traps Go / R / C / Excel / "go to market", 1-3
responsibilities of another posting, a second about-us paragraph) to a
realistic length (~2,200 characters of cleaned text, ~2,700 of HTML), and is
rendered to HTML as the employers' pages show it (snapshot.render), with a
free-text salary line and a board-style location. Batches are generated one
at a time (streaming: at most one batch of texts is held); generation time is
excluded from the stage's timing.

Stage, per batch (default 50,000 postings), exactly as normalize_week:
HTML -> text, section detection, dedupe within the batch, location, salary,
occupation coding, lines, credential / skill / degree mentions, years of
experience (transforms.normalize.normalize_postings).

Baseline, same run, on the first `--baseline-postings` postings: a naive
per-posting loop over the same cleaned texts, one compiled `re` word-bounded
search per dictionary entry (credential aliases, skill patterns, degree level
patterns), plus the experience regex. It only answers "which entries occur":
no sections, rules, offsets or strength, so it does less work than the stage.

Usage:
  .venv/bin/python benchmarks/normalize_throughput.py                    # 1,000,000 postings
  .venv/bin/python benchmarks/normalize_throughput.py --postings 20000   # quick regression guard
Writes benchmarks/results/normalize_throughput.json (or --out) and prints it.
Not a test: numbers depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import random
import re
import resource
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from snapshot import render  # noqa: E402
from snapshot.generator import Snapshot  # noqa: E402
from transforms.normalize import RAW_POSTING_SCHEMA, normalize_postings  # noqa: E402

WEEK = "2026-W10"
EXTRA_LINES = [
    "Experience with Go, Python and Kubernetes in production",
    "Statistical analysis in R or SAS; advanced Excel",
    "Embedded C/C++ development on Linux",
    "C#, .NET Core and ASP.NET MVC; Node.js is a plus",
    "Own our go to market motion with sales and marketing",
    "Excel in a fast-paced, collaborative environment",
    "Apache Spark, Scala and Airflow for data pipelines",
    "Strong communication skills and attention to detail",
    "Familiarity with Agile, Scrum and CI/CD",
    "React, TypeScript and GraphQL on the front end",
    "Terraform, AWS and Docker; REST APIs",
    "Patient care, BLS certification and Epic charting",
    "Working knowledge of SQL, Tableau and Power BI dashboards",
    "Bachelor's degree in a related field or equivalent experience",
    "3-5 years of experience with Salesforce or HubSpot CRM",
    "Security+ or CISSP preferred; familiarity with SIEM tools",
]
PREFIXES = ["", "", "", "Senior ", "Sr. ", "Lead ", "Junior ", "Principal "]
SUFFIXES = ["", "", "", " II", " III", " - Remote", ", Platform", " (Contract)", ", Payments"]
TEAM = [
    "You will join a team of {n} engineers, analysts and product people who ship every week and care about quality.",
    "Our {n}-person team works closely with customers, operations and finance to make complex work simple.",
    "We are a distributed team across {n} time zones; we write things down, review each other's work and keep meetings short.",
]


def build_pool(n: int, weeks: int = 8) -> list:
    """n distinct postings from the snapshot's text builder, spread over `weeks` weeks."""
    snap = Snapshot()
    per = max(1, n // weeks)
    return [snap.bench_posting(w, i) for w in snap.weeks[:weeks] for i in range(per)][:n]


def generate_batch(pool: list, start: int, size: int, seed: int = 7) -> pl.DataFrame:
    """Raw items (transforms.normalize.RAW_POSTING_SCHEMA) for postings start..start+size."""
    r = random.Random(f"{seed}:{start}")
    cols: dict[str, list] = {k: [] for k in RAW_POSTING_SCHEMA}
    for i in range(start, start + size):
        p = pool[r.randrange(len(pool))]
        donor = pool[r.randrange(len(pool))]
        s = p.sections
        reqs = list(s.requirements)
        for line in r.sample(EXTRA_LINES, k=r.randint(1, 3)):
            reqs.insert(r.randint(1, len(reqs)), line)
        resp = list(s.responsibilities) + list(donor.sections.responsibilities[: r.randint(1, 3)])
        about = s.about + " " + r.choice(TEAM).format(n=r.randint(4, 40))
        if r.random() < 0.7:
            about += " " + donor.sections.about
        sections = dataclasses.replace(s, about=about, responsibilities=tuple(resp), requirements=tuple(reqs))
        q = dataclasses.replace(p, sections=sections)
        html = render.description_html(q)
        title = r.choice(PREFIXES) + p.title + r.choice(SUFFIXES)
        cols["source"].append("bench")
        cols["source_id"].append(str(i))
        cols["url"].append(f"https://jobs.example.com/bench/{i}")
        cols["title"].append(title)
        cols["company"].append(p.company)
        cols["location_raw"].append(p.location.label if p.workplace != "hybrid" else p.location.label + " (Hybrid)")
        cols["remote"].append(p.workplace == "remote")
        cols["hybrid"].append(p.workplace == "hybrid")
        cols["description_html"].append(html)
        cols["description_text"].append(None)
        cols["date_posted"].append(p.created_at.date().isoformat())
        cols["valid_through"].append(None)
        cols["employment_type"].append(p.employment_type)
        cols["salary_raw"].append(p.salary.text if p.salary else None)
        for k in ("salary_min", "salary_max", "salary_currency", "salary_period"):
            cols[k].append(None)
        cols["language"].append("en")
        cols["week"].append(WEEK)
        cols["fetched_at"].append("2026-03-06T12:00:00Z")
        cols["payload_sha256"].append(hashlib.sha256(f"{i}:{title}".encode()).hexdigest())
    return pl.DataFrame(cols, schema=RAW_POSTING_SCHEMA)


# --------------------------------------------------------------------------- baseline


def baseline_patterns() -> list[re.Pattern]:
    """One compiled regex per dictionary entry, as a plain Python extractor would write them."""
    from transforms.degrees import degree_rules
    from transforms.extract import alias_frame
    from transforms.skills import load_dictionary

    words = set(alias_frame()["pattern"].str.strip_chars().to_list()) | set(load_dictionary()["pattern"].to_list())
    out = [re.compile(r"(?<![a-z0-9+#])" + re.escape(w) + r"(?![a-z0-9+#])") for w in sorted(words) if w]
    cfg = degree_rules()
    out += [re.compile(lv["pattern"]) for lv in cfg["levels"]]
    out.append(re.compile(cfg["experience_pattern"]))
    return out


def run_baseline(texts: list[str], patterns: list[re.Pattern]) -> tuple[int, float]:
    """(matched entries, seconds): per posting, lower-case, then every regex in turn."""
    hits = 0
    t = time.perf_counter()
    for text in texts:
        low = text.lower()
        for rx in patterns:
            if rx.search(low):
                hits += 1
    return hits, time.perf_counter() - t


# --------------------------------------------------------------------------- main


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--postings", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=50_000)
    ap.add_argument("--pool", type=int, default=4_000, help="distinct base postings from the snapshot's text builder")
    ap.add_argument("--baseline-postings", type=int, default=500)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "normalize_throughput.json")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    pool = build_pool(args.pool)
    pool_s = time.perf_counter() - t0
    # Warm-up on a small batch: config, dictionaries and O*NET titles are read
    # once per process, as in a long-running worker (not timed).
    normalize_postings(generate_batch(pool, 10**9, 200).lazy(), WEEK)
    rss_before = peak_rss_mib()

    gen_s = stage_s = stage_cpu_s = 0.0
    n = chars = html_chars = mentions = skills = creds = degrees = experience = coded = salaried = 0
    cpu0 = time.process_time()
    baseline_texts: list[str] = []
    per_batch = []
    for start in range(0, args.postings, args.batch):
        size = min(args.batch, args.postings - start)
        t = time.perf_counter()
        raw = generate_batch(pool, start, size)
        gen_s += time.perf_counter() - t
        html_chars += int(raw["description_html"].str.len_chars().sum())
        t, c = time.perf_counter(), time.process_time()
        postings, m, exp = normalize_postings(raw.lazy(), WEEK)
        dt = time.perf_counter() - t
        stage_s += dt
        stage_cpu_s += time.process_time() - c  # all threads of the process
        per_batch.append(round(size / dt))
        n += postings.height
        chars += int(postings["text"].str.len_chars().sum())
        mentions += m.height
        counts = dict(m.group_by("entity_type").len().iter_rows())
        skills += counts.get("skill", 0)
        creds += counts.get("credential", 0)
        degrees += counts.get("degree", 0)
        experience += exp.height
        coded += postings.filter(pl.col("occupation_method") != "none").height
        salaried += int(postings["salary_min_usd"].is_not_null().sum())
        if len(baseline_texts) < args.baseline_postings:
            baseline_texts += postings["text"].head(args.baseline_postings - len(baseline_texts)).to_list()
        del raw, postings, m, exp
        print(f"  {start + size:>9,} postings  {stage_s:7.1f} s in stage  {n / stage_s:8,.0f}/s  peak RSS {peak_rss_mib():,.0f} MiB",
              file=sys.stderr, flush=True)
    cpu_s = time.process_time() - cpu0

    patterns = baseline_patterns()
    base_hits, base_s = run_baseline(baseline_texts, patterns)
    base_rate = len(baseline_texts) / base_s
    rate = n / stage_s
    result = {
        "benchmark": "normalize_throughput",
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "polars": pl.__version__,
                    "platform": platform.platform(), "loadavg_1m_at_end": round(os.getloadavg()[0], 2)},
        "postings": n,
        "batch": args.batch,
        "pool_distinct_postings": len(pool),
        "mean_text_chars": round(chars / n, 1),
        "mean_html_chars": round(html_chars / n, 1),
        "mentions": mentions,
        "mentions_by_type": {"skill": skills, "credential": creds, "degree": degrees},
        "experience_rows": experience,
        "occupation_coded_share": round(coded / n, 4),
        "salary_parsed_share": round(salaried / n, 4),
        "stage_s": round(stage_s, 1),
        "postings_per_s": round(rate),
        "postings_per_s_per_batch_min_max": [min(per_batch), max(per_batch)],
        "process_cpu_s": round(cpu_s, 1),
        "postings_per_cpu_s": round(n / cpu_s),
        # process_cpu_s includes batch generation; the stage's own CPU time:
        "stage_cpu_s": round(stage_cpu_s, 1),
        "postings_per_stage_cpu_s": round(n / stage_cpu_s),
        "generation_s_excluded": round(gen_s + pool_s, 1),
        "peak_rss_mib": round(peak_rss_mib()),
        "rss_after_warmup_mib": round(rss_before),
        "baseline": {
            "method": "per-posting loop, one compiled re per dictionary entry (word-bounded), same cleaned texts",
            "postings": len(baseline_texts),
            "patterns": len(patterns),
            "seconds": round(base_s, 2),
            "postings_per_s": round(base_rate, 1),
            "matched_entries": base_hits,
        },
        "speedup_vs_baseline": round(rate / base_rate, 1),
        "target": {"postings_per_s": 25_000, "peak_rss_mib": 6 * 1024},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
