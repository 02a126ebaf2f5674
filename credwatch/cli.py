"""credwatch command line. Every pipeline step runs here without Airflow,
with the same functions the DAG calls.

Errors print one line saying what is wrong and what to do, and exit non-zero.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from credwatch.weeks import parse_week, week_range


def _weeks(args) -> list[str]:
    weeks = list(args.week or [])
    if getattr(args, "from_week", None) or getattr(args, "to_week", None):
        if not (args.from_week and args.to_week):
            raise ValueError("give both --from and --to (ISO weeks), e.g. --from 2026-W27 --to 2026-W42")
        weeks += week_range(args.from_week, args.to_week)
    if not weeks:
        raise ValueError("no week given; pass --week YYYY-Www (repeatable) or --from/--to")
    for w in weeks:
        parse_week(w)
    return sorted(set(weeks))


def _add_weeks(p: argparse.ArgumentParser) -> None:
    p.add_argument("--week", action="append", metavar="YYYY-Www", help="ISO week to process (repeatable)")
    p.add_argument("--from", dest="from_week", metavar="YYYY-Www", help="first week of a range")
    p.add_argument("--to", dest="to_week", metavar="YYYY-Www", help="last week of a range (inclusive)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="credwatch",
        description="credwatch: which credentials employers ask for, and whether they are inflating.",
    )
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    p = sub.add_parser("scrape", help="crawl sources for a week into lake/raw (Scrapy subprocess per source)")
    _add_weeks(p)
    p.add_argument("--source", action="append", help="source name from config/sources.yml (default: all)")
    p.add_argument("--snapshot-url", help="crawl the offline snapshot web at this URL instead of production")

    p = sub.add_parser("normalize", help="raw partitions → clean postings and mentions (Polars) in lake/clean")
    _add_weeks(p)

    p = sub.add_parser("load", help="load clean partitions into the work DuckDB and rebuild those weeks' marts")
    _add_weeks(p)

    sub.add_parser("validate", help="run the Great Expectations quality gate on the work database")
    sub.add_parser("publish", help="atomically publish the marts to warehouse/credwatch.duckdb")

    p = sub.add_parser("run", help="scrape → normalize → load → validate → publish for weeks, without Airflow")
    _add_weeks(p)
    p.add_argument("--snapshot-url", help="crawl the offline snapshot web at this URL instead of production")

    p = sub.add_parser(
        "backfill",
        help="rebuild a range of weeks from the lake: normalize → load → validate → publish",
        description="Rebuild weeks from their raw partitions (never crawled again by default): normalize, "
                    "load into the work database (replacing exactly those weeks and the marts they affect), "
                    "run the quality gate, publish. A missing raw partition is an error naming it, unless "
                    "--rescrape is given.",
    )
    _add_weeks(p)
    p.add_argument("--rescrape", action="store_true",
                   help="crawl again only the raw partitions that are missing (default: fail and name them)")
    p.add_argument("--snapshot-url",
                   help="with --rescrape: crawl the offline snapshot web at this URL instead of production")

    p = sub.add_parser("demo", help="run the weekly DAG through Airflow on the offline snapshot (what `make demo` does)")
    p.add_argument("--weeks", type=int, default=None, help="number of demo weeks (default: config/pipeline.yml)")

    p = sub.add_parser("serve-snapshot", help="serve the offline snapshot web on 127.0.0.1 until interrupted")
    p.add_argument("--port", type=int, default=0, help="port (0 = any free port)")

    sub.add_parser("summary", help="print rows per published table and the top credentials of the latest week")
    sub.add_parser("data-dictionary", help="regenerate docs/data-dictionary.md from the tables' DDL comments")

    p = sub.add_parser("eval", help="accuracy of the extractors on gold data; sections in transforms.evaluate.SECTIONS (docs/accuracy.md)")
    p.add_argument("--what", action="append", metavar="SECTION",
                   help="section to run (repeatable; default: all), e.g. skills, occupation")
    p.add_argument("--limit", type=int, default=None, help="first N gold items only (a quick run)")

    p = sub.add_parser("eval-links", help="precision/recall of offering→credential linking on config/eval/offering_links.csv")
    p.add_argument("--sample", help="labelled CSV (default: config/eval/offering_links.csv)")

    from credwatch.analyst_cli import add_parsers as add_analyst_parsers

    add_analyst_parsers(sub)  # query, top, gap, report
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"credwatch {args.cmd}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a library error (Polars, DuckDB, OS): one line, not a traceback
        if os.environ.get("CREDWATCH_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"credwatch {args.cmd}: {type(exc).__name__}: {first} (set CREDWATCH_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 1


def _dispatch(args) -> int:
    from credwatch import analyst_cli

    if args.cmd in analyst_cli.COMMANDS:
        return analyst_cli.dispatch(args)
    from credwatch import pipeline

    if args.cmd == "scrape":
        weeks = _weeks(args)
        for source in args.source or pipeline.sources():
            pipeline.scrape(source, weeks, args.snapshot_url)
    elif args.cmd == "normalize":
        for w in _weeks(args):
            pipeline.normalize(w)
    elif args.cmd == "load":
        pipeline.load(_weeks(args))
    elif args.cmd == "validate":
        print(json.dumps(pipeline.validate(), indent=2))
    elif args.cmd == "publish":
        pipeline.publish()
    elif args.cmd == "backfill":
        if args.snapshot_url and not args.rescrape:
            raise ValueError("--snapshot-url only applies with --rescrape (backfill never crawls otherwise)")
        out = pipeline.backfill(_weeks(args), rescrape=args.rescrape, snapshot=args.snapshot_url)
        print(json.dumps({"weeks": out["weeks"], "rescraped": out["rescraped"],
                          "marts_rebuilt": out["load"]["marts_rebuilt"], "database": out["publish"]["database"]}, indent=2))
    elif args.cmd == "run":
        pipeline.run(_weeks(args), args.snapshot_url)
    elif args.cmd == "demo":
        from credwatch.demo import demo, demo_weeks

        return demo(demo_weeks(args.weeks))
    elif args.cmd == "serve-snapshot":
        from snapshot.server import main as serve

        return serve(["--port", str(args.port)])
    elif args.cmd == "eval-links":
        from pathlib import Path

        from transforms.offerings import evaluate_links

        r = evaluate_links(Path(args.sample) if args.sample else None)
        print(f"offering links: {r['rows']} labelled offerings ({r['labelled']} with a credential, "
              f"{r['negatives']} without); {r['linked']} linked, {r['correct']} correctly")
        print(f"precision {r['precision']:.3f}  recall {r['recall']:.3f}")
        print("links by method: " + ", ".join(f"{k} {v}" for k, v in r["by_method"].items()))
        for m in r["misses"]:
            print(f"  miss: {m['title']!r}: expected {m['expected_credential_id']}, got {m['credential_id']} "
                  f"({m['link_method']})")
    elif args.cmd == "eval":
        from transforms.evaluate import SECTIONS, run_sections
        from transforms.evaluate_mentions import credentials_section

        # Credential and degree mentions on config/eval/gold_mentions.jsonl (`--what credentials`).
        SECTIONS.setdefault("credentials", credentials_section)
        print(run_sections(args.what, args))
    elif args.cmd == "data-dictionary":
        from warehouse.dictionary import write

        print(f"wrote {write()}")
    elif args.cmd == "summary":
        from credwatch.demo import summary

        print(summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
