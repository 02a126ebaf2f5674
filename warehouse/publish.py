"""Publish: write the published tables from the work database into a new file
(a copy of the previous one with the changed partitions replaced, or a full
build; see _build), export them as Parquet, and swap both into place.

Analysts hold read-only connections to warehouse/credwatch.duckdb. os.replace
swaps the directory entry atomically: a reader that opened the old file keeps
reading it (its inode lives until closed); a reader that opens after the swap
sees the new one. Nobody ever sees half a refresh, and the writer never waits
for readers because it never opens the published file for writing.

If anything fails before the swap (a full disk, a kill -9), the temporary
file is left behind or removed and the published database is untouched; the
next publish removes stale temporaries.

Parquet exports (for BI tools) go to warehouse/exports/<table>/week=<W>/ for
tables with a `week` column, warehouse/exports/posting_lineage/
canonical_last_seen=<W>/ for the lineage (its DDL header's export_partition)
and warehouse/exports/<table>.parquet otherwise; they are written to a fresh
folder and swapped in the same way. Partitions whose contents did not change
are hard-linked from the exports being replaced (see _export).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb

from credwatch.settings import paths
from warehouse.lock import writer_lock
from warehouse.models import published_tables, run_sql


class PublishFailed(RuntimeError):
    pass


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quote(table: str) -> str:
    """'t' -> '"t"', 'work.t' -> 'work."t"' (a catalog prefix stays bare)."""
    catalog, _, name = table.rpartition(".")
    return f'{catalog}."{name}"' if catalog else f'"{name}"'


def _sums(con, table: str, by: str | None = None) -> dict[str | None, str]:
    """table_checksum of the whole table (key None), or of each value of column
    `by` plus the whole table's (key WHOLE) from the same pass."""
    q = _quote(table)
    schema = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {q})").fetchall()
    cols = ", ".join(f'"{c}"' for c, _ in schema)
    agg = f"count(*), coalesce(sum(hash({cols})), 0)"
    if by is None:
        rows = [(None, *con.execute(f"SELECT {agg} FROM {q}").fetchone())]
    else:
        rows = con.execute(f'SELECT "{by}", {agg} FROM {q} GROUP BY 1').fetchall()
    out = {None if by is None else str(v): _digest(schema, n, h) for v, n, h in rows}
    if by is not None:
        # The whole table's checksum from the same pass: its row count and hash sum
        # are the partitions' totals (exact integers), so it equals table_checksum.
        out[WHOLE] = _digest(schema, sum(r[1] for r in rows), sum(int(r[2]) for r in rows))
    return out


WHOLE = "\x00whole"  # key of the whole-table checksum in _sums(..., by) (no partition value is spelled so)


def _digest(schema, n, h) -> str:
    return hashlib.sha256(repr((schema, n, int(h))).encode()).hexdigest()


def _partition_sums(sums: dict) -> dict:
    return {k: v for k, v in sums.items() if k != WHOLE}


def table_checksum(con, table: str) -> str:
    """Content checksum of a table, independent of row order and physical layout.

    The sum of DuckDB's 64-bit hash of every row (a multiset hash: equal
    contents give equal sums in any order, a repeated row counts twice), with
    the row count and the column names and types. Computed in the engine: a
    Python pass over every row cost ~3 s per million rows at publish and grew
    with history. Float columns hash their bits, so a last-bit difference
    between two runs shows. DuckDB's hash is not promised stable across DuckDB
    versions: compare checksums made by the same version (requirements.lock).
    `table` may carry a catalog prefix (work.t).
    """
    return _sums(con, table)[None]


def _remove_stale(target: Path) -> None:
    """Temporaries of publishes that died (their pid is gone)."""
    for tmp in list(target.parent.glob(f".{target.name}.tmp-*")) + list(target.parent.glob(".exports.tmp-*")):
        pid = tmp.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)


def schema_signature() -> str:
    """What a published file's layout depends on: the DuckDB version and every
    published table's DDL (columns, comments, key). A previous file with
    another signature is not updated in place: the next publish builds anew."""
    return hashlib.sha256(repr((duckdb.__version__, [(t.name, t.ddl) for t in published_tables()])).encode()).hexdigest()


def _partition_column(con, t) -> str | None:
    cols = [r[0] for r in con.execute(f'DESCRIBE "{t.name}"').fetchall()]
    return t.export_partition or ("week" if "week" in cols else None)


def _fill(con, t, where: str = "", params: list | None = None) -> None:
    order = ", ".join(f'"{k}"' for k in t.key)
    con.execute(f'INSERT INTO "{t.name}" SELECT * FROM work."{t.name}" {where} ORDER BY {order}', params or [])


def _update(con, t, recorded: dict | None = None) -> tuple[str, str, dict | None]:
    """Bring table t of the copied previous file up to the work database's contents.

    Unchanged (equal checksums): kept. Otherwise the partitions (week, or the
    DDL header's export_partition) whose checksums differ are deleted and
    inserted again from work; without a partition column, or if the result
    does not checksum equal to work (it always should), every row is replaced.
    Returns what was done (for the manifest), the table's checksum now and,
    for a partitioned table, its partitions' checksums (for the export).

    A partitioned table's checksums come from one grouped pass per side (the
    whole table's from the same pass): posting_lineage holds a row per source
    posting ever loaded, so each pass over it grows with the history.
    recorded: the copied file's partition column and checksums as its publish
    recorded them (its export index entry), standing in for the pass over the
    old side. The result is checked by a pass over the new file either way,
    so a record that does not match the file (a publish that died between
    swapping the database and the exports) costs the passes it saved, never
    a wrong table.
    """
    part = _partition_column(con, t)
    if part is None:
        want = table_checksum(con, f"work.{t.name}")
        if table_checksum(con, t.name) == want:
            return "kept", want, None
        con.execute(f'DELETE FROM "{t.name}"')
        _fill(con, t)
        return "all rows replaced", table_checksum(con, t.name), None
    new = _sums(con, f"work.{t.name}", part)
    want = new[WHOLE]
    new = _partition_sums(new)
    where = f'WHERE CAST("{part}" AS VARCHAR) IN (SELECT unnest(CAST(? AS VARCHAR[])))'

    def differing(old: dict) -> list[str]:
        return sorted(v for v in set(new) | set(old) if new.get(v) != old.get(v))

    if isinstance(recorded, dict) and recorded.get("column") == part and isinstance(recorded.get("partitions"), dict):
        changed = differing(recorded["partitions"])
        if "None" not in changed:  # a null partition value has no IN-list spelling
            if changed:
                con.execute(f'DELETE FROM "{t.name}" {where}', [changed])
                _fill(con, t, where, [changed])
            now = _sums(con, t.name, part)
            if now[WHOLE] == want:
                return (f"{len(changed)} of {len(new)} {part} partitions replaced" if changed else "kept"), want, _partition_sums(now)
    old = _sums(con, t.name, part)
    if old[WHOLE] == want:
        return "kept", want, new
    changed = differing(_partition_sums(old))
    if "None" not in changed:
        con.execute(f'DELETE FROM "{t.name}" {where}', [changed])
        _fill(con, t, where, [changed])
        now = _sums(con, t.name, part)
        if now[WHOLE] == want:
            return f"{len(changed)} of {len(new)} {part} partitions replaced", want, _partition_sums(now)
    con.execute(f'DELETE FROM "{t.name}"')
    _fill(con, t)
    now = _sums(con, t.name, part)
    return "all rows replaced", now[WHOLE], _partition_sums(now)


def _build(tmp: Path, work_db: Path, previous: Path | None = None, recorded: dict | None = None) -> tuple[dict, dict]:
    """Write the published tables of `work_db` into the new file `tmp`.

    previous: the published file being replaced, when it has this code's
    schema_signature. It is then copied to `tmp` (a file copy: ~50 MB at
    1M postings x 52 weeks) and only the tables and partitions whose
    checksums changed are rewritten. A weekly refresh changes the new week's
    partitions and the global tables, so publishing costs what changed, not
    the history (the SQL copy of every table into a fresh file cost 1.5 s at
    that scale and grew with it). Every table's checksum in the new file is
    checked against the work database's, whichever path wrote it.

    recorded: previous's export index as its publish recorded it
    (_recorded_sums), for _update.

    Returns the manifest and, per partitioned table whose partitions were
    checksummed on the way, those checksums of the new file (for _export).
    """
    manifest: dict = {"tables": {}, "schema_signature": schema_signature(), "build": "incremental" if previous else "full"}
    partition_sums: dict = {}
    if previous is not None:
        shutil.copyfile(previous, tmp)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"ATTACH '{work_db}' AS work (READ_ONLY)")
        for t in published_tables():
            if previous is None:
                run_sql(con, t.ddl)
                _fill(con, t)
                action, checksum = "written", table_checksum(con, t.name)
            else:
                action, checksum, sums = _update(con, t, (recorded or {}).get(t.name))
                if sums is not None:
                    partition_sums[t.name] = sums
            manifest["tables"][t.name] = {
                "rows": con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0],
                "checksum": checksum,
                "grain": t.grain,
                "key": list(t.key),
                "publish": action,
            }
        manifest["weeks"] = [r[0] for r in con.execute("SELECT week FROM dim_week ORDER BY week").fetchall()]
        con.execute("DETACH work")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return manifest, partition_sums


def _recorded_sums(exports: Path) -> dict:
    """The export index of the last publish: per table, its partition column
    and partition checksums ({} when unreadable)."""
    try:
        index = json.loads((exports / PARTITION_INDEX).read_text())
    except (OSError, ValueError):
        return {}
    return index if isinstance(index, dict) else {}


def _previous_to_update(target: Path, manifest_path: Path) -> tuple[Path | None, int]:
    """(the published file, its updates since the last full build) when the
    next file can be built by updating a copy of it, else (None, 0).

    Needs the previous manifest to carry this code's schema_signature (same
    DuckDB version and DDL), no WAL beside the file, and fewer than
    FULL_BUILD_EVERY updates since the last full build: a full build every
    so often writes every table in key order again and drops the free blocks
    that deleted partitions leave in the file."""
    if not target.exists() or Path(str(target) + ".wal").exists() or not manifest_path.exists():
        return None, 0
    try:
        m = json.loads(manifest_path.read_text())
    except ValueError:
        return None, 0
    updates = int(m.get("updates_since_full", FULL_BUILD_EVERY))
    if m.get("schema_signature") != schema_signature() or updates + 1 >= FULL_BUILD_EVERY:
        return None, 0
    return target, updates


FULL_BUILD_EVERY = 13  # publishes (a quarter of weekly refreshes)


PARTITION_INDEX = "_partitions.json"  # leading underscore: Hive-style readers skip it


def _link_tree(src: Path, dst: Path) -> None:
    """dst gets src's files as hard links (copies where the filesystem has none)."""
    dst.mkdir(parents=True)
    for f in src.iterdir():
        try:
            os.link(f, dst / f.name)
        except OSError:
            shutil.copy2(f, dst / f.name)


def _export(db: Path, out: Path, previous: Path | None = None, known_sums: dict | None = None) -> dict:
    """Write the Parquet exports of `db` into `out`; returns per-table counts of
    partitions written and reused.

    Partitioned tables (by `week`, or the DDL header's export_partition) are
    checksummed per partition; a partition whose checksum equals the one
    recorded in `previous` (the exports being replaced) is hard-linked from
    there instead of written again. A weekly refresh changes the new week's
    partitions (and posting_lineage's canonical_last_seen partitions it moved
    rows out of), so the export costs the changed partitions, not the history.
    The index travels inside the export folder, swapped with it, so it always
    describes the files beside it. known_sums: partition checksums of `db`
    already computed (_build's), per table; the others are computed here.
    """
    prev_index: dict = {}
    if previous is not None and (previous / PARTITION_INDEX).exists():
        try:
            prev_index = json.loads((previous / PARTITION_INDEX).read_text())
        except ValueError:
            prev_index = {}  # unreadable: write everything
    index: dict = {}
    stats: dict = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        out.mkdir(parents=True)
        for t in published_tables():
            order = ", ".join(f'"{k}"' for k in t.key)
            part = _partition_column(con, t)
            if part is None:
                con.execute(f"COPY (SELECT * FROM \"{t.name}\" ORDER BY {order}) TO '{out / (t.name + '.parquet')}' (FORMAT parquet)")
                stats[t.name] = {"written": 1, "reused": 0}
                continue
            sums = (known_sums or {}).get(t.name) or _partition_sums(_sums(con, t.name, part))
            old = prev_index.get(t.name, {}).get("partitions", {}) if prev_index.get(t.name, {}).get("column") == part else {}
            reuse = sorted(v for v, h in sums.items()
                           if old.get(v) == h and previous is not None and (previous / t.name / f"{part}={v}").is_dir())
            changed = sorted(set(sums) - set(reuse))
            if changed:
                con.execute(
                    f"COPY (SELECT * FROM \"{t.name}\" WHERE \"{part}\" IN (SELECT unnest(CAST(? AS VARCHAR[]))) ORDER BY {order}) "
                    f"TO '{out / t.name}' (FORMAT parquet, PARTITION_BY (\"{part}\"))", [changed])
            else:
                (out / t.name).mkdir()
            for v in reuse:
                _link_tree(previous / t.name / f"{part}={v}", out / t.name / f"{part}={v}")
            index[t.name] = {"column": part, "partitions": sums}
            stats[t.name] = {"written": len(changed), "reused": len(reuse)}
    finally:
        con.close()
    (out / PARTITION_INDEX).write_text(json.dumps(index, indent=1, sort_keys=True))
    return stats


def publish(export_parquet: bool = True) -> dict:
    """Build the published database aside and swap it in. Returns a manifest
    (tables, rows, checksums, weeks) also written next to the database.

    Raises PublishFailed naming the cause; the published database is then
    exactly as before."""
    p = paths()
    target = p.published_db
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    exports_tmp = target.parent / f".exports.tmp-{os.getpid()}"
    exports = target.parent / "exports"
    with writer_lock(p.work_db):
        _remove_stale(target)
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(exports_tmp, ignore_errors=True)
        try:
            manifest_path = target.parent / "credwatch.publish.json"
            previous, updates = _previous_to_update(target, manifest_path)
            recorded = _recorded_sums(exports) if previous is not None and exports.exists() else None
            manifest, partition_sums = _build(tmp, p.work_db, previous, recorded)
            manifest["updates_since_full"] = updates + 1 if previous else 0
            if export_parquet:
                manifest["export_partitions"] = _export(tmp, exports_tmp, exports if exports.exists() else None,
                                                       partition_sums)
            _fsync(tmp)
        except (OSError, duckdb.Error) as exc:
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)
            shutil.rmtree(exports_tmp, ignore_errors=True)
            state = f"the published database {target} is unchanged" if target.exists() else "nothing was published before"
            raise PublishFailed(
                f"publish failed while writing the new database next to {target} ({exc}); {state}. "
                f"Free space in {target.parent} (or fix the cause) and rerun `credwatch publish`."
            ) from exc
        os.replace(tmp, target)
        if export_parquet:
            old = target.parent / f".exports.old-{os.getpid()}"
            if exports.exists():
                exports.rename(old)
            exports_tmp.rename(exports)
            shutil.rmtree(old, ignore_errors=True)
        _fsync(target.parent)
    manifest["database"] = str(target)
    manifest["exports"] = str(exports) if export_parquet else None
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest
