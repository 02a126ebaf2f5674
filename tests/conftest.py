"""Shared fixtures. Paths are anchored to this file, never to the CWD."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture
def lake(tmp_path, monkeypatch):
    """An isolated lake + warehouse for one test."""
    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CREDWATCH_WAREHOUSE", str(tmp_path / "warehouse"))
    return tmp_path


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or a visible skip when it is absent
    (a fresh clone has no ../shared)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (tests-only data from ../shared/data); not present in this checkout")
    return path


_PL_TYPES = {"VARCHAR": "String", "BOOLEAN": "Boolean", "DATE": "Date", "DOUBLE": "Float64", "BIGINT": "Int64", "VARCHAR[]": "List[String]"}


def clean_posting_schema() -> dict:
    """Polars schema of a clean postings partition, derived from the
    stg_postings DDL so fixtures follow the table when it gains columns."""
    import duckdb
    import polars as pl

    from warehouse.models import run_sql, tables

    con = duckdb.connect()
    run_sql(con, next(t for t in tables() if t.name == "stg_postings").ddl)
    schema = {}
    for name, dtype, *_ in con.execute("DESCRIBE stg_postings").fetchall():
        schema[name] = pl.List(pl.String) if dtype == "VARCHAR[]" else getattr(pl, _PL_TYPES[dtype])
    schema["text"] = pl.String
    return schema


def write_clean_postings(path: Path, rows: list[dict]) -> None:
    """Write fixture postings; unspecified columns are null (occupation 'none')."""
    import polars as pl

    schema = clean_posting_schema()
    base = {c: None for c in schema} | {"occupation_method": "none", "occupation_confidence": 0.0, "text": ""}
    pl.DataFrame([base | r for r in rows], schema=schema).write_parquet(path)


MENTION_FIXTURE_SCHEMA = {
    "posting_key": "String", "entity_type": "String", "entity_id": "String", "surface": "String",
    "line_no": "Int64", "line_start": "Int64", "section": "String", "strength": "String",
    "counts_as_demand": "Boolean", "rule": "String", "week": "String", "field": "String",
}


def write_mentions(path: Path, rows: list[dict]) -> None:
    import polars as pl

    schema = {k: getattr(pl, v) for k, v in MENTION_FIXTURE_SCHEMA.items()}
    pl.DataFrame([{c: None for c in schema} | r for r in rows], schema=schema).write_parquet(path)
