"""Load clean partitions into the work database and rebuild the marts of the
affected weeks.

One week in, one week out: loading week W deletes and re-inserts exactly W's
rows in every per-week table, in one transaction, so reruns and backfills are
safe and a failure leaves the previous state.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl

from credwatch.settings import load_config, paths
from credwatch.weeks import parse_week
from transforms.offerings import catalog_inputs
from transforms.registry import demand_credentials, load_registry
from warehouse.lock import writer_lock
from warehouse.models import MODELS, build_steps, run_sql, tables


def connect_work(read_only: bool = False) -> duckdb.DuckDBPyConnection:
    db = paths().work_db
    db.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(db), read_only=read_only)


def schema_fingerprint() -> str:
    """Hash of every DDL file: a changed table definition changes it."""
    h = hashlib.sha256()
    for t in tables():
        h.update(t.name.encode() + b"\0" + t.ddl.encode())
    return h.hexdigest()[:16]


def ensure_schema(con) -> None:
    for t in tables():
        run_sql(con, t.ddl)
    con.execute("CREATE TABLE IF NOT EXISTS _credwatch_schema (fingerprint VARCHAR NOT NULL)")


def _schema_is_current(con) -> bool:
    try:
        row = con.execute("SELECT fingerprint FROM _credwatch_schema").fetchone()
    except duckdb.CatalogException:
        return False
    return row is not None and row[0] == schema_fingerprint()


def _loaded_clean_weeks() -> list[str]:
    root = paths().clean
    return sorted(p.name.split("=", 1)[1] for p in root.glob("week=*") if p.is_dir() and "." not in p.name and (p / "postings.parquet").exists())


def refresh_dim_credential(con) -> int:
    # Degree levels (type degree) are not credentials: not in the demand marts.
    reg = demand_credentials(load_registry())
    version = str(load_config("credentials").get("version", ""))
    rows = [
        {
            "credential_id": c.id,
            "name": c.name,
            "issuer": c.issuer,
            "type": c.type,
            "level": c.level,
            "aliases": list(c.aliases),
            "exam_codes": list(c.exam_codes),
            "stacks_into": list(c.stacks_into),
            "related_skills": list(c.related_skills),
            "licence": c.licence,
            "registry_version": version,
        }
        for c in sorted(reg.values(), key=lambda c: c.id)
    ]
    df = pl.DataFrame(rows)
    con.execute("DELETE FROM dim_credential")
    con.execute("INSERT INTO dim_credential SELECT * FROM df")
    return len(rows)


def load_weeks(weeks: list[str]) -> dict:
    """Load the clean partitions of `weeks` and rebuild their marts.

    Raises FileNotFoundError naming the missing partition and the command
    that produces it.
    """
    for w in weeks:
        parse_week(w)
        part = paths().clean_partition(w)
        if not (part / "postings.parquet").exists():
            raise FileNotFoundError(
                f"clean partition {part} is missing; run `credwatch normalize --week {w}` first"
            )
    if not build_steps():
        raise FileNotFoundError(f"no build SQL in {MODELS / 'build'}; the checkout is incomplete — restore warehouse/models/build from git")
    per_week = [s for s in build_steps() if "$week" in s.read_text()]
    global_steps = [s for s in build_steps() if "$week" not in s.read_text()]
    counts = {}
    with writer_lock(paths().work_db):
        con = connect_work()
        # The work database is derived data: when the table definitions
        # changed (a new release), rebuild it from every clean partition
        # rather than migrate it in place.
        if not _schema_is_current(con) and con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] > 0:
            con.close()
            for f in (paths().work_db, Path(str(paths().work_db) + ".wal")):
                f.unlink(missing_ok=True)
            weeks = sorted(set(weeks) | set(_loaded_clean_weeks()))
            con = connect_work()
        try:
            ensure_schema(con)
            con.execute("DELETE FROM _credwatch_schema")
            con.execute("INSERT INTO _credwatch_schema VALUES (?)", [schema_fingerprint()])
            con.execute("BEGIN TRANSACTION")
            refresh_dim_credential(con)
            for w in sorted(weeks):
                part = paths().clean_partition(w)
                params = {
                    "week": w,
                    "postings_path": str(part / "postings.parquet"),
                    "mentions_path": str(part / "mentions.parquet"),
                    **catalog_inputs(part),  # offerings_path, candidates_path (schema-only stand-ins if absent)
                }
                for step in per_week:
                    run_sql(con, step.read_text(), params)
                counts[w] = con.execute("SELECT count(*) FROM stg_postings WHERE week = ?", [w]).fetchone()[0]
            for step in global_steps:
                run_sql(con, step.read_text())
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()
    return {"postings_by_week": counts}


def table_counts(con) -> dict[str, int]:
    return {t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in tables()}
