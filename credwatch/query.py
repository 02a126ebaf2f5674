"""Read-only access to the published marts: `credwatch query`, `top`, and the
helpers the advisor and the dashboard share.

The published database (warehouse/credwatch.duckdb) is only ever opened
read-only. A refresh never waits for us: publish builds a new file aside and
renames it over the old one (warehouse/publish.py), so a connection opened
before the swap keeps reading the old file, one opened after reads the new.

Tables that other marts add over time may be missing from an older published
database: callers ask `columns()` / `has_table()` first and say so in one
line instead of failing.
"""
from __future__ import annotations

import csv
import io
import json
import math
from contextlib import contextmanager
from pathlib import Path

import duckdb

from credwatch.settings import paths

FORMATS = ("table", "csv", "json")

# duckdb statement types a read-only query may run (SELECT covers WITH, FROM-first,
# VALUES, SHOW, DESCRIBE and SUMMARIZE; EXPLAIN shows a plan).
_READ_TYPES = {"SELECT", "EXPLAIN"}


class QueryError(ValueError):
    """A query that cannot run; the message says what to do."""


def published_db() -> Path:
    return paths().published_db


@contextmanager
def connect(db: Path | None = None):
    """A read-only connection to the published database.

    Raises FileNotFoundError (one line, what to do) when nothing is published."""
    db = Path(db) if db else published_db()
    if not db.exists():
        raise FileNotFoundError(
            f"no published database at {db}; run `make demo` (or `credwatch run` then `credwatch publish`) first, "
            f"or point CREDWATCH_WAREHOUSE at the folder that holds credwatch.duckdb"
        )
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise RuntimeError(f"cannot open {db} read-only ({_first_line(exc)}); check the file is a credwatch database") from exc
    try:
        yield con
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    # duckdb messages are "Catalog Error: Table with name x does not exist!\nDid you mean …"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith(("LINE ", "^"))]
    return "; ".join(lines[:2]) if lines else type(exc).__name__


def check_read_only(sql: str) -> None:
    """Refuse anything but one read statement (SELECT / WITH / FROM / VALUES /
    SHOW / DESCRIBE / SUMMARIZE / EXPLAIN). Raises QueryError saying why."""
    if not sql or not sql.strip():
        raise QueryError('empty query; pass one SQL statement, e.g. credwatch query "SHOW TABLES"')
    try:
        stmts = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"SQL does not parse: {_first_line(exc)}; fix the statement and rerun") from None
    if len(stmts) != 1:
        raise QueryError(f"give exactly one SQL statement (got {len(stmts)}); run them one at a time")
    kind = stmts[0].type.name
    if kind not in _READ_TYPES:
        raise QueryError(
            f"refused: `credwatch query` is read-only and this is a {kind} statement; only SELECT/WITH/SHOW/DESCRIBE/"
            f"EXPLAIN run here (the marts change only through `credwatch load` + `credwatch publish`)"
        )


def run_query(sql: str, params: list | dict | None = None, db: Path | None = None) -> tuple[list[str], list[tuple]]:
    """Run one read-only statement on the published database: (column names, rows)."""
    check_read_only(sql)
    with connect(db) as con:
        return execute(con, sql, params)


def execute(con, sql: str, params=None) -> tuple[list[str], list[tuple]]:
    try:
        cur = con.execute(sql, params) if params else con.execute(sql)
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()
    except duckdb.Error as exc:
        raise QueryError(
            f"query failed: {_first_line(exc)}; list tables with `credwatch query \"SHOW TABLES\"` "
            f"and columns in docs/data-dictionary.md"
        ) from None


# ------------------------------------------------------------------ discovery


def columns(con, table: str) -> set[str]:
    """Column names of a table in the connected database; empty when absent."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def has_table(con, table: str, *needed: str) -> bool:
    cols = columns(con, table)
    return bool(cols) and set(needed) <= cols


def row_count(con, table: str) -> int:
    if not columns(con, table):
        return 0
    return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def latest_week(con) -> str | None:
    if not has_table(con, "dim_week", "week"):
        return None
    return con.execute("SELECT max(week) FROM dim_week").fetchone()[0]


# ------------------------------------------------------------------ formatting


def _cell(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def to_csv(cols: list[str], rows: list[tuple]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if v is None else (json.dumps(v) if isinstance(v, (list, dict)) else v) for v in r])
    return buf.getvalue()


def to_json(cols: list[str], rows: list[tuple]) -> str:
    return json.dumps([{c: _cell(v) for c, v in zip(cols, r)} for r in rows], indent=2, default=str)


def render_table(cols: list[str], rows: list[tuple], title: str | None = None):
    """A rich Table of the result (floats to 4 significant digits)."""
    from rich.table import Table

    t = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[_fmt(v) for v in r])
    return t


def _fmt(v) -> str:
    if v is None:
        return "∅"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)


def print_result(cols: list[str], rows: list[tuple], fmt: str = "table", out=None) -> None:
    import sys

    out = out or sys.stdout
    if fmt == "csv":
        out.write(to_csv(cols, rows))
    elif fmt == "json":
        out.write(to_json(cols, rows) + "\n")
    else:
        from rich.console import Console

        console = Console(file=out, width=max(100, min(200, 24 * len(cols))))
        console.print(render_table(cols, rows))
        console.print(f"{len(rows)} row(s)")


# ------------------------------------------------------------------ top


def arrow(change_pp: float | None, flat_pp: float = 0.25) -> str:
    """Trend arrow for a change in percentage points (± flat_pp is flat)."""
    if change_pp is None:
        return "·"
    if change_pp > flat_pp:
        return "▲"
    if change_pp < -flat_pp:
        return "▼"
    return "▶"


def resolve_occupation(con, occupation: str | None) -> tuple[str, str]:
    """`--occupation` → (soc_major, label). Accepts ALL, a SOC major ("15"),
    a SOC code ("15-1252.00") or a job title (coded with transforms.occupation)."""
    if not occupation or occupation.strip().upper() == "ALL":
        return "ALL", "all occupations"
    return resolve_role(occupation)[:2]


def resolve_role(role: str) -> tuple[str, str, str | None]:
    """A role given as a title or SOC code → (soc_major, label, soc_code).

    Raises QueryError naming the input when it cannot be coded."""
    import re

    role = (role or "").strip()
    if not role:
        raise QueryError('no role given; pass a job title or SOC code, e.g. --role "Data Engineer" or --role 15-1252')
    m = re.fullmatch(r"(\d{2})(?:-(\d{4})(?:\.(\d{2}))?)?", role)
    if m:
        major = m.group(1)
        label = major_title(major)
        if label is None:
            raise QueryError(f"SOC major group {major!r} does not exist; use a 2-digit group such as 15 or 29, or a job title")
        code = role if m.group(2) else None
        return major, f"SOC {role} ({label})", code
    import polars as pl

    from transforms.occupation import code_titles

    coded = code_titles(pl.DataFrame({"title": [role]})).row(0, named=True)
    if not coded.get("soc_major"):
        raise QueryError(
            f"cannot match role {role!r} to an occupation; try a common job title (e.g. \"Data Engineer\") "
            f"or a SOC code (e.g. 15-1252 or 15)"
        )
    return coded["soc_major"], f"{coded['soc_title']} (SOC {coded['soc_code']}, {coded['occupation_method']} match)", coded["soc_code"]


def major_title(major: str) -> str | None:
    """Title of a 2-digit SOC major group, None when it does not exist."""
    import polars as pl

    from transforms.occupation import load_occupations

    hit = load_occupations().filter(pl.col("soc_major") == major)
    return hit["soc_major_title"][0] if hit.height else None


def top(occupation: str | None = None, region: str = "ALL", weeks: int = 12, limit: int = 10, db: Path | None = None) -> dict:
    """Credentials and skills leading demand in a cell at the latest week, with
    their change over the last `weeks` weeks (trailing 4-week mean, in pp).

    Returns {"week", "cell", "credentials": [...], "skills": [...] | None, "notes": [...]}."""
    if weeks < 1:
        raise QueryError("--weeks must be at least 1")
    region = (region or "ALL").strip()
    region = "ALL" if region.upper() == "ALL" else region.upper()
    with connect(db) as con:
        if not has_table(con, "credential_demand_weekly", "demand_share_4wk"):
            raise RuntimeError("the published database has no credential_demand_weekly; rerun `credwatch publish`")
        soc, label = resolve_occupation(con, occupation)
        week = latest_week(con)
        if week is None:
            raise RuntimeError("the published database has no weeks yet; run the pipeline for at least one week")
        from credwatch.weeks import shift

        start = shift(week, -weeks)
        cell = con.execute(
            "SELECT count(*) FROM credential_demand_weekly WHERE week = ? AND soc_major = ? AND region = ?", [week, soc, region]
        ).fetchone()[0]
        if not cell:
            raise QueryError(
                f"no postings for {label} in region {region} in {week}; try --region ALL or a broader --occupation"
            )
        creds = _leaders(con, "credential_demand_weekly", "credential_id", "dim_credential", "name", week, start, soc, region, limit)
        skills, notes = None, []
        if has_table(con, "skill_demand_weekly", "week", "soc_major", "region", "demand_share"):
            key = "skill_id" if "skill_id" in columns(con, "skill_demand_weekly") else "skill"
            dim_name = "name" if "name" in columns(con, "dim_skill") else None
            skills = _leaders(con, "skill_demand_weekly", key, "dim_skill" if dim_name else None, dim_name, week, start, soc, region, limit)
        else:
            notes.append("skills: skill_demand_weekly is not published yet (no skill ranking)")
        return {"week": week, "since": start, "cell": {"soc_major": soc, "region": region, "label": label},
                "credentials": creds, "skills": skills, "notes": notes}


def _leaders(con, table, key, dim, dim_name, week, start, soc, region, limit) -> list[dict]:
    cols = columns(con, table)
    share = "demand_share_4wk" if "demand_share_4wk" in cols else "demand_share"
    mentions = "mentioning_postings" if "mentioning_postings" in cols else "NULL"
    name = f"coalesce(d.{dim_name}, t.{key})" if dim else f"t.{key}"
    join = f"LEFT JOIN {dim} d ON d.{key} = t.{key}" if dim else ""
    sql = f"""
        WITH t AS (
            SELECT {key}, week, {share} AS share, demand_share, {mentions} AS mentioning
            FROM {table} WHERE soc_major = ? AND region = ? AND week BETWEEN ? AND ?
        ), latest AS (SELECT * FROM t WHERE week = ?),
        first AS (SELECT {key}, arg_min(share, week) AS share0, min(week) AS week0 FROM t GROUP BY {key})
        SELECT t.{key}, {name} AS name, t.demand_share, t.share, t.mentioning,
               100 * (t.share - f.share0) AS change_pp, f.week0
        FROM latest t JOIN first f USING ({key}) {join}
        WHERE t.share > 0
        ORDER BY t.share DESC, t.{key} LIMIT ?"""
    rows = con.execute(sql, [soc, region, start, week, week, limit]).fetchall()
    return [
        {"id": r[0], "name": r[1], "demand_share": r[2], "demand_share_4wk": r[3], "mentioning_postings": r[4],
         "change_pp": r[5] if r[6] != week else None, "since": r[6], "trend": arrow(r[5] if r[6] != week else None)}
        for r in rows
    ]
