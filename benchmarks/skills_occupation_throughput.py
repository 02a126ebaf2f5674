"""Throughput of skill extraction (transforms.skills.skill_mentions, with
transforms.clean.to_lines) and occupation coding
(transforms.occupation.code_occupations) on generated postings.

Postings are the offline snapshot's (snapshot.generator.Snapshot, all
calendar weeks) repeated with variation until N (default 100,000): each copy
gets its title varied (seniority prefix, level suffix, a location or team
segment, so that titles repeat but not only verbatim), one or two extra
requirement lines drawn from a pool of real-looking skill lines (tools,
ambiguous names such as Go, R, C, Excel), and its about-us paragraph repeated
until the text is ~2,000 characters. Generation is excluded from the timings.
Postings are processed in batches (default 25,000), as the weekly pipeline
does per partition.

Usage: .venv/bin/python benchmarks/skills_occupation_throughput.py [--postings N] [--batch B]
Prints one JSON line: postings, mean characters, mentions, seconds and
postings/s per stage and together, peak RSS. Not a test: numbers depend on
the machine and its load.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snapshot.generator import Snapshot  # noqa: E402
from transforms.clean import to_lines  # noqa: E402
from transforms.occupation import code_occupations  # noqa: E402
from transforms.skills import load_dictionary, skill_mentions  # noqa: E402

EXTRA_LINES = [
    "- Experience with Go, Python and Kubernetes in production",
    "- Statistical analysis in R or SAS; advanced Excel",
    "- Embedded C/C++ development on Linux",
    "- C#, .NET Core and ASP.NET MVC; Node.js is a plus",
    "- Own our go to market motion with sales and marketing",
    "- Excel in a fast-paced, collaborative environment",
    "- Apache Spark, Scala and Airflow for data pipelines",
    "- Strong communication skills and attention to detail",
    "- Familiarity with Agile, Scrum and CI/CD",
    "- React, TypeScript and GraphQL on the front end",
    "- Terraform, AWS and Docker; REST APIs",
    "- Patient care, BLS certification and Epic charting",
]
PREFIXES = ["", "", "", "Senior ", "Sr. ", "Lead ", "Junior ", "Principal "]
SUFFIXES = ["", "", "", " II", " III", " - Remote", ", Platform", " (Contract)", " - New York, NY", ", Payments"]


def generate(n: int, seed: int = 7) -> pl.DataFrame:
    base = Snapshot().all_postings()
    r = random.Random(seed)
    keys, titles, texts = [], [], []
    for i in range(n):
        p = base[i % len(base)]
        lines = list(p.lines[1:])
        about = p.sections.about
        extra = r.sample(EXTRA_LINES, k=r.randint(1, 2))
        where = lines.index(p.sections.requirements_heading) + 1
        lines[where:where] = extra
        text = "\n".join(lines)
        while len(text) < 1900:
            text = text.replace(about, about + " " + about, 1)
        keys.append(f"bench:{i}")
        titles.append(r.choice(PREFIXES) + p.title + r.choice(SUFFIXES))
        texts.append(text)
    return pl.DataFrame({"posting_key": keys, "title": titles, "text": texts})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=25_000)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    postings = generate(args.postings)
    gen_s = time.perf_counter() - t0
    load_dictionary()  # read once, as a long-running worker would

    skill_s = occ_s = 0.0
    mentions = 0
    coded = 0
    cpu0 = time.process_time()
    for start in range(0, postings.height, args.batch):
        batch = postings.slice(start, args.batch)
        t = time.perf_counter()
        text = batch.lazy().select("posting_key", "text")
        m = skill_mentions(to_lines(text), text).collect()
        skill_s += time.perf_counter() - t
        mentions += m.height
        t = time.perf_counter()
        occ = code_occupations(batch.lazy().select("posting_key", "title")).collect()
        occ_s += time.perf_counter() - t
        coded += occ.filter(pl.col("occupation_method") != "none").height
    cpu_s = time.process_time() - cpu0
    n = postings.height
    print(json.dumps({
        "postings": n,
        "batch": args.batch,
        "mean_chars": round(postings["text"].str.len_chars().mean(), 1),
        "distinct_titles": postings["title"].n_unique(),
        "generation_s": round(gen_s, 1),
        "skill_mentions": mentions,
        "skills_s": round(skill_s, 2),
        "skills_postings_per_s": round(n / skill_s),
        "occupation_s": round(occ_s, 2),
        "occupation_postings_per_s": round(n / occ_s),
        "occupation_coded_share": round(coded / n, 3),
        "total_postings_per_s": round(n / (skill_s + occ_s)),
        "process_cpu_s": round(cpu_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
