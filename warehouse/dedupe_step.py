"""De-duplication inside the load: replay the weekly dedupe state over the
loaded weeks and say which weeks' marts it changed.

The state after week W (transforms/dedupe.py) depends on every loaded week up
to W, so loading week W means: start from the state saved after the loaded
week just before W and apply W and every later loaded week again. In the
weekly routine W is the newest week, so exactly one week is applied.

States live beside the work database (warehouse/work/dedupe_state/week=W/),
because they describe what the work database holds, not the lake. They cost
~115 bytes per canonical posting (signatures are kept only for those seen
within repost_max_gap_weeks), so only the newest `keep_last` weeks and
every `checkpoint_every`-th ISO week are kept (config/dedupe.yml); a backfill
older than the newest states replays from the nearest checkpoint.
"""
from __future__ import annotations

import json
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl

from credwatch.settings import paths
from credwatch.weeks import index_between
from transforms.dedupe import HISTORY_SCHEMA, week_index, DedupeState, assign_week, dedupe_config, load_state, save_state


@dataclass(frozen=True)
class Replay:
    state: DedupeState
    replayed: list[str]  # weeks applied, in order (first = where the tables change)
    marts_from: str | None  # first loaded week whose active postings may have changed
    # Waits for the states still being saved, then prunes old ones; raises a
    # save's error. Call it before relying on the saved states (replay(background=True)).
    wait: Callable[[], None] = field(default=lambda: None, compare=False)


def state_root() -> Path:
    return paths().work_db.parent / "dedupe_state"


def _state_dir(week: str) -> Path:
    return state_root() / f"week={week}"


def _week_postings(week: str) -> pl.LazyFrame:
    path = paths().clean_partition(week) / "postings.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"clean partition {path} is missing but week {week} is loaded in the warehouse; "
            f"rerun `credwatch normalize --week {week}` (or `credwatch backfill`) to restore it"
        )
    return pl.scan_parquet(path).select(list(HISTORY_SCHEMA)).unique("posting_key", keep="first", maintain_order=True)


def _founder_rows(week: str, keys: list[str]) -> pl.DataFrame:
    """Clean rows of `keys` in `week`, as assign_week saw them then (its founder_rows)."""
    return _week_postings(week).filter(pl.col("posting_key").is_in(keys)).select("posting_key", "text").collect()


def _built_on(loaded: list[str], week: str) -> list[str]:
    """The loaded weeks a state saved after `week` is built from."""
    return [w for w in loaded if w <= week]


def _start_state(loaded: list[str], first: str, cfg: dict) -> DedupeState:
    """The saved state after the latest loaded week before `first` that was
    built on exactly the loaded weeks up to it, or empty when none fits.

    A state built on other weeks is stale: a backfill of an older week
    committed its load, then died before it re-saved the later weeks'
    states (they are saved in the background, after the commit). Such a
    state is skipped and the replay starts from an earlier one."""
    before = [w for w in loaded if w < first]
    for w in reversed(before):
        d = _state_dir(w)
        if not (d / "meta.json").exists():
            continue
        if json.loads((d / "meta.json").read_text()).get("built_on") != _built_on(loaded, w):
            continue
        try:
            st = load_state(d, cfg)
        except ValueError:
            break  # built under other rules: rebuild from the start
        if st.last_week == w:
            return st
    return DedupeState.empty(cfg)


def replay(loaded: list[str], first: str, background: bool = False) -> Replay:
    """Apply every week of `loaded` (sorted ISO weeks) from `first` on.

    Returns the final state, the weeks applied and the first week whose
    marts must be rebuilt: the first applied week, or earlier when a posting
    that had dropped out reappears (it is active in the weeks between).

    background: the states are written on a helper thread (Parquet writing
    releases the GIL) while the caller goes on, at most one in flight (a
    state is ~115 bytes per canonical posting: a backfill must not queue
    them); the caller then must call the result's wait(). At 1M canonical
    postings the save is ~0.4 s a week, which the load's staging and marts
    cover. A state written aside and renamed is never seen half-written, and
    one that never got written is recomputed by the next replay.
    """
    cfg = dedupe_config()
    start = _start_state(loaded, first, cfg)
    todo = [w for w in loaded if start.last_week is None or w > start.last_week]
    state = start
    pool = ThreadPoolExecutor(1, thread_name_prefix="dedupe-save") if background and todo else None
    pending: Future | None = None
    try:
        for w in todo:
            state = assign_week(_week_postings(w), state, w, cfg, _founder_rows)
            if pool is None:
                save_state(state, _state_dir(w), _built_on(loaded, w))
                continue
            if pending is not None:
                pending.result()
            pending = pool.submit(save_state, state, _state_dir(w), _built_on(loaded, w))
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=True)
        raise
    marts_from = todo[0] if todo else None
    if todo and start.last_week is not None:
        # A canonical posting last seen before the replay and seen again in it is now
        # active in the weeks between: those loaded weeks' marts change too.
        before = start.canonicals.select("canonical_id", pl.col("last_seen").alias("_prev"))
        now = state.canonicals.head(before.height).select("canonical_id", "last_seen")
        if now["canonical_id"].equals(before["canonical_id"]):
            # assign_week keeps the state's rows in order and appends new ones after
            # them: compare by position (a join of the ~1M ids cost 0.15 s a week).
            both = pl.concat([now, before.select("_prev")], how="horizontal")
        else:
            both = state.canonicals.select("canonical_id", "last_seen").join(before, on="canonical_id")
        back = both.filter(pl.col("last_seen") > pl.col("_prev"))
        if back.height:
            gap_from = back["_prev"].min()
            later = [w for w in loaded if w > gap_from]
            if later and later[0] < marts_from:
                marts_from = later[0]

    def wait() -> None:
        try:
            if pending is not None:
                pending.result()
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        _prune(loaded, cfg)  # after the saves: an unfinished one is a *.tmp folder prune would remove

    if pool is None:
        wait()
        return Replay(state, todo, marts_from)
    return Replay(state, todo, marts_from, wait)


def _prune(loaded: list[str], cfg: dict) -> None:
    keep_last = int(cfg.get("state_keep_last_weeks", 8))
    every = int(cfg.get("state_checkpoint_every_weeks", 13))
    keep = set(loaded[-keep_last:])
    if loaded:
        keep |= {w for w in loaded if index_between(loaded[0], w) % every == every - 1}
    root = state_root()
    if not root.exists():
        return
    for d in root.glob("week=*"):
        if d.name.endswith(".tmp") or d.name.split("=", 1)[1] not in keep:
            shutil.rmtree(d, ignore_errors=True)


def clear_states() -> None:
    """Forget every saved state (the work database is being rebuilt)."""
    shutil.rmtree(state_root(), ignore_errors=True)


def write_tables(con, result: Replay) -> None:
    """Replace the dedupe tables' rows that the replay can have changed.

    A member or canonical posting whose last_seen is before the first
    replayed week, before and after the replay, keeps its row by
    construction; every other row is deleted and re-inserted. That includes
    rows whose last_seen moves back before that week: a reloaded week whose
    new data no longer lists a posting that an earlier week did.
    """
    if not result.replayed:
        return
    since = result.replayed[0]
    old_members = pl.Series([r[0] for r in con.execute(
        "SELECT posting_key FROM int_source_postings WHERE last_seen >= ?", [since]).fetchall()], dtype=pl.String)
    old_canon = pl.Series([r[0] for r in con.execute(
        "SELECT canonical_id FROM int_canonical_postings WHERE last_seen >= ?", [since]).fetchall()], dtype=pl.String)
    members = result.state.members.filter(
        (pl.col("last_seen") >= since) | pl.col("posting_key").is_in(old_members.implode())).sort("posting_key")
    canon = (
        result.state.canonicals.filter((pl.col("last_seen") >= since) | pl.col("canonical_id").is_in(old_canon.implode()))
        .with_columns((week_index(pl.col("last_seen")) - week_index(pl.col("first_seen")) + 1).cast(pl.Int32).alias("weeks_active"))
        .select("canonical_id", "first_seen", "last_seen", "weeks_active", "weeks_seen", "repost_count", "duplicate_count", "n_members", "sources")
        .sort("canonical_id")
    )
    # Rows seen again in the replay carry a later last_seen now: replace them too.
    con.execute("DELETE FROM int_source_postings WHERE last_seen >= ? OR posting_key IN (SELECT posting_key FROM members)", [since])
    con.execute("DELETE FROM int_canonical_postings WHERE last_seen >= ? OR canonical_id IN (SELECT canonical_id FROM canon)", [since])
    con.execute(
        "INSERT INTO int_source_postings SELECT posting_key, source, source_id, canonical_id, link, similarity, "
        "first_seen, last_seen, weeks_seen FROM members"
    )
    con.execute("INSERT INTO int_canonical_postings SELECT * FROM canon")
