"""What every layer's suites share: the check plan, the validation context and
the work database's introspection.

A layer module (raw, staging, marts, volume) turns the weeks being published
into a `Plan`: a list of `Check`s — a bounded pandas frame plus the Great
Expectations expectations to run on it — and two lists of plain messages:

- `failures`: problems found before any expectation can run (an input that
  is missing altogether); they fail the gate like a failed expectation;
- `skipped`: expectations that do not apply to this data, with the reason
  (printed by the gate and shown in Data Docs' run summary), so nothing is
  ever skipped silently.

Layer modules only build frames and expectations; `expectations.validate`
runs them, reports failures, writes Data Docs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from warehouse.models import Table, tables


@dataclass
class Check:
    """One suite run on one frame. `name` is the suite name (`<layer>.<what>`),
    `table` what a failure message names (a table, or a derived frame such as
    `stg_postings (coverage per week)`)."""

    layer: str
    name: str
    table: str
    df: Any  # pandas.DataFrame (pandas is imported lazily, with GX)
    expectations: list = field(default_factory=list)


@dataclass
class Plan:
    layer: str
    checks: list[Check] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class Context:
    """Inputs of every layer: a read-only connection to the work database, the
    weeks being validated, every week loaded, the quality config and the
    warehouse tables that exist in the database with their columns."""

    con: Any  # duckdb.DuckDBPyConnection, read-only
    weeks: list[str]
    all_weeks: list[str]
    q: dict
    columns: dict[str, dict[str, str]]  # table -> {column: duckdb type}
    models: dict[str, Table]

    def has(self, table: str, *cols: str) -> bool:
        return table in self.columns and all(c in self.columns[table] for c in cols)

    def df(self, sql: str, params: list | None = None):
        return self.con.execute(sql, params or []).df()

    def week_filter(self, table: str) -> tuple[str, list]:
        """SQL `WHERE` restricting a table to the rows a load of the weeks
        being validated can have written, so the frames stay bounded by the
        run, not the history: `week` (or `as_of_week`) in the weeks; for the
        history-wide lineage tables (no week, a `last_seen`), rows last seen
        in or after the earliest of them (a load replaces exactly those rows,
        warehouse/dedupe_step.write_tables; older rows were validated when
        their week was). Their key uniqueness is still checked over the whole
        table, in SQL (full_table_duplicates)."""
        cols = self.columns.get(table, {})
        marks = ", ".join("?" for _ in self.weeks)
        if "week" in cols:
            return f"WHERE week IN ({marks})", list(self.weeks)
        if "as_of_week" in cols:
            return f"WHERE as_of_week IN ({marks})", list(self.weeks)
        if "last_seen" in cols and self.weeks and self.weeks != self.all_weeks:
            return "WHERE last_seen >= ?", [min(self.weeks)]
        return "", []

    def full_table_duplicates(self, table: str, key: list[str]) -> int:
        """Key values that occur more than once in the whole table (SQL, not a frame)."""
        cols = ", ".join(quote(k) for k in key)
        return self.con.execute(
            f"SELECT count(*) FROM (SELECT {cols} FROM {quote(table)} GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]


def introspect(con) -> dict[str, dict[str, str]]:
    """{table: {column: type}} of the work database's main schema."""
    out: dict[str, dict[str, str]] = {}
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    for t, c, ty in rows:
        out.setdefault(t, {})[c] = ty
    return out


def model_tables() -> dict[str, Table]:
    """The warehouse's tables from their DDL headers (warehouse/models/ddl)."""
    return {t.name: t for t in tables()}


def quote(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def grain_expectations(key: tuple[str, ...] | list[str]) -> list:
    """Key columns not null and unique together: the grain of a DDL header."""
    from great_expectations import expectations as gxe

    out = [gxe.ExpectColumnValuesToNotBeNull(column=k) for k in key]
    if len(key) == 1:
        out.append(gxe.ExpectColumnValuesToBeUnique(column=key[0]))
    else:
        out.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(key)))
    return out


def add_grain_checks(ctx: Context, plan: Plan, layer: str | None = None) -> None:
    """One grain-uniqueness check per existing table of `layer` (default: the
    plan's), from
    its DDL header key — a new table gets it by declaring its key. Tables with
    a `week` column are read for the validated weeks only."""
    layer = layer or plan.layer
    for name, t in sorted(ctx.models.items()):
        if t.layer != layer or name not in ctx.columns:
            continue
        missing = [k for k in t.key if k not in ctx.columns[name]]
        if missing:
            plan.failures.append(
                f"table {name}: its DDL header key ({', '.join(t.key)}) names column(s) {missing} the table lacks; "
                f"fix the header in warehouse/models/ddl/{name}.sql"
            )
            continue
        where, params = ctx.week_filter(name)
        cols = ", ".join(quote(k) for k in t.key)
        df = ctx.df(f"SELECT {cols} FROM {quote(name)} {where}", params)
        plan.checks.append(Check(plan.layer, f"{layer}.grain.{name}", name, df, grain_expectations(t.key)))
        if where.startswith("WHERE last_seen"):
            # The frame holds the rows this load wrote; a duplicate of an older row is only visible table-wide.
            dup = ctx.full_table_duplicates(name, list(t.key))
            if dup:
                plan.failures.append(
                    f"table {name}: {dup} key value(s) ({', '.join(t.key)}) occur more than once in the whole table; "
                    f"the dedupe tables were written twice — rebuild them with `credwatch load` of the earliest week"
                )
