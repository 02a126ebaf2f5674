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
from credwatch.weeks import parse_week, shift
from warehouse import dedupe_step
from transforms.offerings import catalog_inputs
from transforms.source_stats import source_stats_input
from transforms.registry import demand_credentials, load_registry
from warehouse.lock import writer_lock
from warehouse.models import MODELS, build_steps, run_step, run_sql, step_scope, tables


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


def step_kinds() -> tuple[list[Path], list[Path], list[Path]]:
    """Build steps split by what they depend on (warehouse.models.step_scope).

    - staging: read a week's clean partition ($postings_path, …); run for the
      weeks being loaded only;
    - marts: per week ($week) but computed from the loaded tables (active
      postings, trailing windows); run for every affected week, in order;
    - global: whole-table refreshes, run once per load.
    """
    kinds = {"staging": [], "mart": [], "global": []}
    for step in build_steps():
        kinds[step_scope(step)].append(step)
    return kinds["staging"], kinds["mart"], kinds["global"]


def mart_params(week: str, baseline: str) -> dict:
    return {
        "week": week,
        "prev_week": shift(week, -1),
        "yoy_week": shift(week, -52),
        "window_start": shift(week, -3),
        "baseline_week": baseline,
    }


def baseline_week(loaded: list[str]) -> str:
    """The demand index's baseline week from config/marts.yml ('first' = first loaded week)."""
    value = str(load_config("marts").get("index_baseline_week", "first"))
    if value == "first":
        return loaded[0] if loaded else ""
    parse_week(value)
    return value


def _loaded_weeks(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT week FROM stg_postings ORDER BY week").fetchall()]


def load_weeks(weeks: list[str]) -> dict:
    """Load the clean partitions of `weeks` and rebuild the marts they affect.

    Staging tables change for exactly `weeks`; de-duplication is replayed
    from the earliest of them, and the per-week marts are rebuilt for every
    loaded week from there on (trailing windows, reappearing postings and
    the demand index depend on earlier weeks). In the weekly routine the new
    week is the newest, so exactly one week is rebuilt.

    Raises FileNotFoundError naming the missing partition and the command
    that produces it.
    """
    weeks = sorted(set(weeks))
    for w in weeks:
        parse_week(w)
        part = paths().clean_partition(w)
        if not (part / "postings.parquet").exists():
            raise FileNotFoundError(
                f"clean partition {part} is missing; run `credwatch normalize --week {w}` first"
            )
    if not build_steps():
        raise FileNotFoundError(f"no build SQL in {MODELS / 'build'}; the checkout is incomplete — restore warehouse/models/build from git")
    staging, marts, global_steps = step_kinds()
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
            dedupe_step.clear_states()
            weeks = sorted(set(weeks) | set(_loaded_clean_weeks()))
            con = connect_work()
        in_tx = False
        replay = None
        try:
            ensure_schema(con)
            con.execute("DELETE FROM _credwatch_schema")
            con.execute("INSERT INTO _credwatch_schema VALUES (?)", [schema_fingerprint()])
            loaded = sorted(set(_loaded_weeks(con)) | set(weeks))
            # Dedupe first (outside the transaction: its saved states are
            # derived from the clean partitions alone, so a failed load
            # leaves states a rerun recomputes identically).
            replay = dedupe_step.replay(loaded, weeks[0], background=True)
            mart_weeks = [w for w in loaded if replay.marts_from is not None and w >= replay.marts_from]
            mart_weeks = sorted(set(mart_weeks) | set(weeks))
            baseline = baseline_week(loaded)
            con.execute("BEGIN TRANSACTION")
            in_tx = True
            refresh_dim_credential(con)
            for w in weeks:
                part = paths().clean_partition(w)
                params = {
                    "week": w,
                    "postings_path": str(part / "postings.parquet"),
                    "mentions_path": str(part / "mentions.parquet"),
                    **catalog_inputs(part),  # offerings_path, candidates_path (schema-only stand-ins if absent)
                    "source_stats_path": source_stats_input(part),  # crawl counters (stand-in if absent)
                }
                for step in staging:
                    run_step(con, step, params)
                counts[w] = con.execute("SELECT count(*) FROM stg_postings WHERE week = ?", [w]).fetchone()[0]
            dedupe_step.write_tables(con, replay)
            for w in mart_weeks:
                for step in marts:
                    run_step(con, step, mart_params(w, baseline))
            for step in global_steps:
                run_step(con, step, {"rebuilt_weeks": mart_weeks, "loaded_weeks": loaded, "baseline_week": baseline})
            con.execute("COMMIT")
        except Exception:
            if in_tx:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()
            if replay is not None:
                replay.wait()  # the dedupe states saved meanwhile (raises a save's error)
    return {"postings_by_week": counts, "marts_rebuilt": mart_weeks, "dedupe_replayed": replay.replayed}


def table_counts(con) -> dict[str, int]:
    return {t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in tables()}
