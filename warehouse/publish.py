"""Publish: copy the published tables from the work database into a new file
and rename it over warehouse/credwatch.duckdb.

Analysts hold read-only connections to the published file. os.replace swaps
the directory entry atomically: a reader that opened the old file keeps
reading it (its inode lives until closed); a reader that opens after the swap
sees the new one. Nobody ever sees half a refresh, and the writer never waits
for readers because it never opens the published file for writing.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb

from credwatch.settings import paths
from warehouse.lock import writer_lock
from warehouse.models import published_tables, run_sql


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def table_checksum(con, table: str, key: tuple[str, ...]) -> str:
    """Content checksum of a table, independent of physical layout."""
    order = ", ".join(f'"{k}"' for k in key)
    h = hashlib.sha256()
    for row in con.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall():
        h.update(repr(row).encode())
    return h.hexdigest()


def publish() -> dict:
    """Build the published database aside and swap it in. Returns a manifest
    (tables, rows, checksums, weeks) also written next to the database."""
    p = paths()
    target = p.published_db
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    manifest = {"tables": {}}
    with writer_lock(p.work_db):
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"ATTACH '{p.work_db}' AS work (READ_ONLY)")
            for t in published_tables():
                run_sql(con, t.ddl)
                order = ", ".join(f'"{k}"' for k in t.key)
                con.execute(f'INSERT INTO "{t.name}" SELECT * FROM work."{t.name}" ORDER BY {order}')
                manifest["tables"][t.name] = {
                    "rows": con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0],
                    "checksum": table_checksum(con, t.name, t.key),
                    "grain": t.grain,
                    "key": list(t.key),
                }
            manifest["weeks"] = [r[0] for r in con.execute("SELECT week FROM dim_week ORDER BY week").fetchall()]
            con.execute("DETACH work")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    manifest["database"] = str(target)
    (target.parent / "credwatch.publish.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest
