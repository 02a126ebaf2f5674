"""The analyst-facing subcommands of `credwatch`: query, top, gap, report.

credwatch/cli.py registers them with add_parsers() and hands them to
dispatch(); errors are raised as ValueError / FileNotFoundError /
RuntimeError with a one-line message, which cli.main prints and turns into
a non-zero exit.
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

COMMANDS = ("query", "top", "gap", "report")

def _wrap(text: str) -> str:
    return textwrap.fill(text, 100)


_DB_HELP = "published DuckDB file to read (default: <CREDWATCH_WAREHOUSE or warehouse>/credwatch.duckdb), opened read-only"


def add_parsers(sub) -> None:
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "query", formatter_class=fmt,
        help="run one read-only SQL statement on the published marts (table, CSV or JSON)",
        description=_wrap("Run one read-only SQL statement (SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, SUMMARIZE, "
                    "EXPLAIN) on the published database. Writes (INSERT, CREATE, COPY, ATTACH, SET, ...) are refused. "
                    "The database is opened read-only, so a query never blocks a refresh: publish swaps a new file in "
                    "atomically and an open query keeps reading the old one."),
        epilog='examples:\n  credwatch query "SHOW TABLES"\n'
               '  credwatch query "SELECT * FROM credential_demand_weekly WHERE soc_major = \'15\' LIMIT 5" --format csv\n'
               "Tables and columns: docs/data-dictionary.md; worked queries: docs/analyst-guide.md.",
    )
    p.add_argument("sql", help="the SQL statement, quoted")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="output: an aligned table (default), CSV with a header row, or a JSON array of objects")
    p.add_argument("--db", type=Path, help=_DB_HELP)

    p = sub.add_parser(
        "top", formatter_class=fmt,
        help="credentials and skills leading demand for an occupation and region, with trend arrows",
        description=_wrap("The credentials (and skills, where skill_demand_weekly is published) with the highest trailing "
                    "4-week demand share in the latest published week, for one occupation group and region. "
                    "The arrow compares that share with the first published week of the window: ▲ up, ▼ down, "
                    "▶ flat (within ±0.25 pp), · no earlier week."),
    )
    p.add_argument("--occupation", default="ALL",
                   help='job title ("Data Engineer"), SOC code (15-1252) or 2-digit SOC major group (15); '
                        "titles are coded to their SOC major group; default ALL = every occupation")
    p.add_argument("--region", default="ALL", help="ISO country code (US, GB, ...) or ALL (default)")
    p.add_argument("--weeks", type=int, default=12, help="trend window in weeks back from the latest week (default 12)")
    p.add_argument("--limit", type=int, default=10, help="rows per list (default 10)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    p.add_argument("--db", type=Path, help=_DB_HELP)

    p = sub.add_parser(
        "gap", formatter_class=fmt,
        help="skills-gap analysis: which credentials to get for a role, given the skills you have",
        description=_wrap("Rank the credentials employers ask for in a role's occupation group by demand share, growth, "
                    "salary premium (with its 90% interval), inflation flag, recognition (distinct employers), "
                    "and say what each adds: supply (providers, median price and hours), the skills you lack that it "
                    "covers, and what it stacks into. Scoring weights: config/advisor.yml."),
        epilog='example:\n  credwatch gap --role "Data Engineer" --have "SQL, Python" --region US',
    )
    p.add_argument("--role", required=True,
                   help='the role you want: a job title ("Cloud Engineer") or a SOC code (15-1252, or 15 for the group)')
    p.add_argument("--have", default="",
                   help='skills you already have, comma-separated ("SQL, Python, AWS"); matched through the skills '
                        "taxonomy's aliases")
    p.add_argument("--region", default="ALL", help="ISO country code (US, GB, ...) or ALL (default)")
    p.add_argument("--weeks", type=int, default=12, help="growth window in weeks back from the latest week (default 12)")
    p.add_argument("--limit", type=int, default=10, help="recommendations to show (default 10)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    p.add_argument("--db", type=Path, help=_DB_HELP)

    p = sub.add_parser(
        "report", formatter_class=fmt,
        help="write the static HTML dashboard (and the run report) from the published marts",
        description=_wrap("Write a self-contained HTML dashboard (one file, works offline, no server) of the published "
                    "marts: demand trends, inflation quadrant, supply vs demand, degree requirements and credential "
                    "gap, source health, and a link to the data-quality report. Also refreshes the run report "
                    "(warehouse/reports/run_report.md) when a publish manifest exists."),
    )
    p.add_argument("--out", type=Path,
                   help="HTML file to write (default: <CREDWATCH_WAREHOUSE or warehouse>/reports/dashboard/index.html)")
    p.add_argument("--db", type=Path, help=_DB_HELP)


@contextmanager
def _progress(total: int, label: str):
    """A rich progress bar on stderr when it is a terminal; a no-op step function otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=total)
        first = [True]

        def step(what: str) -> None:
            if not first[0]:
                bar.advance(task)
            first[0] = False
            bar.update(task, description=f"{label}: {what}")

        yield step
        bar.update(task, completed=total)


def dispatch(args) -> int:
    from rich.console import Console

    out = Console(width=160) if sys.stdout.isatty() else Console(width=160, force_terminal=False, no_color=True)
    if args.cmd == "query":
        from credwatch.query import print_result, run_query

        err = Console(stderr=True)
        if err.is_terminal:  # a spinner while a long query runs
            with err.status("running the query (read-only)…"):
                cols, rows = run_query(args.sql, db=args.db)
        else:
            cols, rows = run_query(args.sql, db=args.db)
        print_result(cols, rows, args.format)
    elif args.cmd == "top":
        from credwatch.query import top

        res = top(args.occupation, args.region, args.weeks, args.limit, db=args.db)
        if args.format == "json":
            print(json.dumps(res, indent=2, default=str))
            return 0
        _print_top(res, out)
    elif args.cmd == "gap":
        from credwatch.advisor import gap, render

        with _progress(7, "gap") as step:
            res = gap(args.role, args.have, args.region, args.weeks, args.limit, db=args.db, progress=step)
        if args.format == "json":
            print(json.dumps(res, indent=2, default=str))
        else:
            render(res, out)
    elif args.cmd == "report":
        from credwatch.dashboard import CHARTS, report

        with _progress(len(CHARTS), "dashboard") as step:
            res = report(args.out, db=args.db, progress=step)
        print(f"wrote {res['path']}")
        for key, state in res["charts"].items():
            print(f"  {key:<10} {state if isinstance(state, str) else f'{state} data points'}")
        if res["run_report"]:
            print(f"run report: {res['run_report']}")
    return 0


def _print_top(res: dict, console) -> None:
    from rich.table import Table

    cell = res["cell"]
    console.print(f"[bold]{cell['label']}[/bold] · region {cell['region']} · week {res['week']} (trend since {res['since']})")
    for title, rows in (("credentials", res["credentials"]), ("skills", res["skills"])):
        if rows is None:
            continue
        t = Table(title=f"top {title}", header_style="bold")
        for c in ("#", title[:-1], "share (4 wk)", "share (week)", "postings", "trend"):
            t.add_column(c)
        for i, r in enumerate(rows, 1):
            ch = "" if r["change_pp"] is None else f" {r['change_pp']:+.1f} pp"
            t.add_row(str(i), str(r["name"]), f"{r['demand_share_4wk']:.1%}", f"{r['demand_share']:.1%}",
                      "" if r["mentioning_postings"] is None else str(r["mentioning_postings"]), r["trend"] + ch)
        console.print(t)
    for n in res["notes"]:
        console.print(f"[dim]note: {n}[/dim]")
