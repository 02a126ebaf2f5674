"""Replay mode of the snapshot web: real Greenhouse board history, week by week.

Data: ../shared/data/greenhouse-history/ (43 real ISO weeks 2025-W44..2026-W34,
997 boards; see its README). TESTS-ONLY data without a licence: it is read in
place and never copied into the repository or the lake (the lake gets what
the crawler fetches, as for any source).

Served (the same layout as snapshot/server.py):

    GET /<week>/greenhouse/v1/boards/<board>/jobs[?content=true]
        200 {"jobs": [...], "meta": {"total": n}}: exactly the job objects of
            presence.csv.gz's rows for (board, week), in file order, each
            the object of jobs.jsonl.gz (variant 0) or jobs_variants.jsonl.gz
            (variant n) minus the added "board"/"variant" keys — the README's
            reconstruction of the list response. A board-week in
            snapshots.csv.gz without presence rows is an empty list.
        404 when the board has no snapshot that week (not yet scraped, or skipped).
    GET /<week>/greenhouse/v1/boards/<board>/jobs/<id>   404: the history has no detail pages.
    GET /robots.txt allows everything; GET / lists weeks and boards.

The history is the list form only (no `content`): the replay serves the list
form whatever the query asks, and `replay_config()` writes a config folder
whose greenhouse entry declares `optional_fields: [description_html]`, so
postings without a description are stored, not quarantined (production
config keeps the description required).

Reused by tests/test_dedupe.py (GreenhouseHistory: board sampling and the
presence/jobs tables), tests/test_replay_greenhouse.py and
benchmarks/replay_greenhouse.py (run_replay: crawl → backfill → compare).
"""
from __future__ import annotations

import gzip
import io
import json
import os
import time
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import polars as pl
import yaml

from credwatch.settings import ROOT
from snapshot import render
from snapshot.server import JSON, ROBOTS, TEXT, Response, SnapshotServer

DEFAULT_ROOT = ROOT.parent / "shared" / "data" / "greenhouse-history"
SOURCE = "greenhouse"
NO_BASELINE_WEEK = "2000-W01"  # before any replayed week (see replay_config)
_BOARD_KEY = b',"board":"'


class GreenhouseHistory:
    """The data set, optionally restricted to every `every`-th board (sorted by
    token) and to the weeks first_week..last_week: deterministic subsets.
    Restricted to a window, it is the history as if the boards had been
    crawled in those weeks only (what the replay serves and the truth)."""

    def __init__(self, root: Path | str = DEFAULT_ROOT, every: int = 1,
                 first_week: str | None = None, last_week: str | None = None):
        self.root = Path(root)
        if not (self.root / "presence.csv.gz").exists():
            raise FileNotFoundError(
                f"{self.root} has no presence.csv.gz: the Greenhouse history (tests-only data in ../shared/data) "
                "is not here; pass its folder (e.g. --data /path/to/greenhouse-history)")
        if every < 1:
            raise ValueError(f"every={every}: sample every N-th board with N >= 1")
        snapshots = pl.read_csv(self.root / "snapshots.csv.gz", schema_overrides={"job_count": pl.Int64, "n_jobs": pl.Int64})
        self.all_boards: list[str] = sorted(snapshots["board"].unique().to_list())
        self.boards: list[str] = self.all_boards[::every]
        self._board_set = set(self.boards)
        in_window = pl.lit(True)
        if first_week:
            in_window &= pl.col("iso_week") >= first_week
        if last_week:
            in_window &= pl.col("iso_week") <= last_week
        self._in_window = in_window
        self.snapshots = snapshots.filter(pl.col("board").is_in(self.boards) & in_window)
        self.weeks: list[str] = sorted(self.snapshots["iso_week"].unique().to_list())
        if not self.weeks:
            raise ValueError(f"no week of {self.root} lies in {first_week or '…'}..{last_week or '…'}")

    def presence(self) -> pl.DataFrame:
        """presence.csv.gz rows of the sampled boards, in file order, with `pos` = row number in the file."""
        return (
            pl.scan_csv(self.root / "presence.csv.gz", schema_overrides={"job_id": pl.Int64, "variant": pl.Int64})
            .with_row_index("pos")
            .filter(pl.col("board").is_in(self.boards) & self._in_window)
            .collect()
        )

    def job_lines(self, variants: bool = False):
        """(board, raw JSON line) of every line of jobs.jsonl.gz (or jobs_variants.jsonl.gz);
        board is None for boards outside the sample. Every line ends with the added
        `"board":"<token>"` (and `"variant":n`) keys."""
        name = "jobs_variants.jsonl.gz" if variants else "jobs.jsonl.gz"
        with gzip.open(self.root / name, "rb") as fh:
            rest = b""
            while chunk := fh.read(1 << 24):  # big reads: line-by-line gzip reads are ~5x slower
                lines = (rest + chunk).split(b"\n")
                rest = lines.pop()
                for line in lines:
                    if line:
                        yield self._board_of(line), line
            if rest:
                yield self._board_of(rest), rest

    def _board_of(self, line: bytes) -> str | None:
        start = line.rfind(_BOARD_KEY) + len(_BOARD_KEY)
        board = line[start:line.index(b'"', start)].decode()
        return board if board in self._board_set else None

    def jobs_frame(self, schema: dict) -> pl.DataFrame:
        """jobs.jsonl.gz rows of the sampled boards read with `schema` (a subset of the fields + board)."""
        buf = io.BytesIO()
        for board, line in self.job_lines():
            if board is not None:
                buf.write(line + b"\n")
        return pl.read_ndjson(buf.getvalue(), schema=schema)

    def truth(self, presence: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """What the warehouse must reproduce, from presence alone:
        per posting (source_id = job id): first, last ISO week and distinct weeks listed;
        per week: postings listed and postings first listed."""
        presence = self.presence() if presence is None else presence
        per_job = (
            presence.group_by("job_id")
            .agg(pl.col("iso_week").min().alias("first_seen"), pl.col("iso_week").max().alias("last_seen"),
                 pl.col("iso_week").n_unique().cast(pl.Int64).alias("weeks_seen"))
            .with_columns(pl.col("job_id").cast(pl.String).alias("source_id"))
            .select("source_id", "first_seen", "last_seen", "weeks_seen")
            .sort("source_id")
        )
        listed = presence.group_by("iso_week").agg(pl.col("job_id").n_unique().cast(pl.Int64).alias("postings_listed"))
        new = per_job.group_by("first_seen").agg(pl.len().cast(pl.Int64).alias("new_postings")).rename({"first_seen": "iso_week"})
        weekly = (
            pl.DataFrame({"iso_week": self.weeks})
            .join(listed, on="iso_week", how="left").join(new, on="iso_week", how="left")
            .fill_null(0).rename({"iso_week": "week"}).sort("week")
        )
        return per_job, weekly


class GreenhouseReplay:
    """The list response of every (week, board) of a GreenhouseHistory, in memory.

    Job objects are kept zlib-compressed, one per distinct (board, id,
    updated_at, variant); a response joins the
    objects its presence rows name, in their order.
    """

    def __init__(self, history: GreenhouseHistory):
        self.history = history
        self.weeks = history.weeks
        blobs: list[bytes] = []
        keys: dict[str, list] = {"board": [], "id": [], "updated_at": [], "variant": []}
        for variants in (False, True):
            for board, line in history.job_lines(variants):
                if board is None:
                    continue
                obj = json.loads(line)
                keys["board"].append(board)
                keys["id"].append(int(obj["id"]))
                keys["updated_at"].append(obj["updated_at"])
                keys["variant"].append(int(obj.get("variant", 0)))
                # The object as the API gave it: the line minus the trailing added keys.
                blobs.append(zlib.compress(line[:line.rfind(_BOARD_KEY)] + b"}", 1))
        self._blobs = blobs
        index = pl.DataFrame(keys, schema={"board": pl.String, "id": pl.Int64, "updated_at": pl.String, "variant": pl.Int64}) \
            .with_row_index("obj")
        presence = history.presence()
        joined = presence.join(index, left_on=["board", "job_id", "updated_at", "variant"],
                               right_on=["board", "id", "updated_at", "variant"], how="left")
        lost = joined.filter(pl.col("obj").is_null())
        if lost.height:
            raise ValueError(f"{lost.height} presence rows of {history.root} name no job object, e.g. "
                             f"{lost.head(3).select('board', 'job_id', 'updated_at', 'variant').rows()}: the data set is damaged")
        self.presence = presence
        grouped = joined.sort("pos").group_by(["iso_week", "board"], maintain_order=True).agg(pl.col("obj"))
        self._lists: dict[tuple[str, str], list[int]] = {(w, b): objs for w, b, objs in grouped.iter_rows()}
        for w, b in history.snapshots.select("iso_week", "board").iter_rows():
            self._lists.setdefault((w, b), [])  # a snapshot without rows: the board listed nothing

    def jobs_body(self, week: str, board: str) -> bytes | None:
        """The list response of `board` in `week`, or None when the board has no snapshot that week."""
        objs = self._lists.get((week, board))
        if objs is None:
            return None
        jobs = b",".join(zlib.decompress(self._blobs[i]) for i in objs)
        return b'{"jobs":[' + jobs + b'],"meta":{"total":' + str(len(objs)).encode() + b"}}"


class ReplayServer(SnapshotServer):
    """SnapshotServer whose routes are the replayed Greenhouse history (see the module docstring)."""

    def __init__(self, replay: GreenhouseReplay, host: str = "127.0.0.1", port: int = 0):
        super().__init__(snapshot=replay, host=host, port=port, cache_size=0)
        self.replay = replay

    def respond(self, target: str) -> Response:
        path = unquote(urlsplit(target).path)
        if path == "/robots.txt":
            return Response(200, TEXT, ROBOTS.encode())
        if path == "/":
            index = {"mode": "replay", "weeks": self.replay.weeks, "sources": [SOURCE], "boards": len(self.replay.history.boards)}
            return Response(200, JSON, json.dumps(index).encode())
        parts = path.strip("/").split("/")
        # <week>/greenhouse/v1/boards/<board>/jobs
        if len(parts) == 6 and parts[1] == SOURCE and parts[2:4] == ["v1", "boards"] and parts[5] == "jobs":
            body = self.replay.jobs_body(parts[0], parts[4])
            if body is not None:
                return Response(200, JSON, body)
            return Response(404, JSON, render.GREENHOUSE_NOT_FOUND.encode())
        if len(parts) == 7 and parts[1] == SOURCE and parts[5] == "jobs":
            return Response(404, JSON, render.GREENHOUSE_JOB_NOT_FOUND.encode())
        return Response(404, TEXT, f"404 Not Found: {path} (replay serves only Greenhouse board lists)\n".encode())


# ------------------------------------------------------------------ the replay run


def replay_config(dest: Path, boards: list[str], base: Path | None = None) -> Path:
    """A config folder for a replay run: every file of `base` (default: the
    project's config/) linked as is, except sources.yml, which keeps only the
    greenhouse source with the replayed boards and description_html optional
    (the history is the list form), quality.yml, whose description-based
    checks are relaxed (see `_replay_quality`), and marts.yml, whose demand
    index baseline lies before the history. Returns `dest`."""
    base = Path(base) if base is not None else ROOT / "config"
    dest.mkdir(parents=True, exist_ok=True)
    for item in base.iterdir():
        if item.name in ("sources.yml", "quality.yml", "marts.yml"):
            continue
        link = dest / item.name
        if not link.exists():
            link.symlink_to(item.resolve())
    sources = yaml.safe_load((base / "sources.yml").read_text(encoding="utf-8"))
    entry = next(s for s in sources["sources"] if s["name"] == SOURCE)
    entry = {**entry, "snapshot": {"boards": list(boards), "optional_fields": ["description_html"]}}
    sources["sources"] = [entry]
    (dest / "sources.yml").write_text(yaml.safe_dump(sources, sort_keys=False), encoding="utf-8")
    quality = yaml.safe_load((base / "quality.yml").read_text(encoding="utf-8"))
    (dest / "quality.yml").write_text(yaml.safe_dump(_replay_quality(quality), sort_keys=False), encoding="utf-8")
    marts = yaml.safe_load((base / "marts.yml").read_text(encoding="utf-8"))
    # No description, no demand: a demand index cannot be anchored at any replayed week.
    # A baseline before the history leaves every index null, and the gate skips its
    # anchor check with a logged reason instead of failing on an undefined index.
    marts["index_baseline_week"] = NO_BASELINE_WEEK
    (dest / "marts.yml").write_text(yaml.safe_dump(marts, sort_keys=False), encoding="utf-8")
    return dest


def _replay_quality(q: dict) -> dict:
    """The quality gate for list-only postings. Without a description there
    are no credential, skill or degree mentions and no salary, so the checks
    of what descriptions carry cannot hold; real boards also keep evergreen
    postings first published years ago. Every other check stays as shipped."""
    q = json.loads(json.dumps(q))
    q["raw"]["min_description_chars"] = 0
    q["raw"]["max_posting_age_days"] = 3650
    q["marts"]["credential_demand_weekly"]["min_credentials_with_demand"] = 0
    for share in ("salary_share", "credential_share"):
        q["volume"]["shares"][share]["min"] = 0.0
    return q


def lineage_agreement(con, history: GreenhouseHistory, presence: pl.DataFrame | None = None) -> dict:
    """Compare posting_lineage and source_health_weekly (DuckDB connection `con`)
    with the presence truth. Returns counts and the first disagreements."""
    per_job, weekly = history.truth(presence)
    lineage = pl.DataFrame(con.execute(
        "SELECT source_id, first_seen, last_seen, weeks_seen::BIGINT AS weeks_seen FROM posting_lineage "
        "WHERE source = ? ORDER BY source_id", [SOURCE]).fetchall(), orient="row",
        schema={"source_id": pl.String, "first_seen": pl.String, "last_seen": pl.String, "weeks_seen": pl.Int64})
    both = per_job.join(lineage, on="source_id", how="full", suffix="_wh", coalesce=True)
    bad = both.filter(
        pl.col("first_seen").is_null() | pl.col("first_seen_wh").is_null()
        | (pl.col("first_seen") != pl.col("first_seen_wh")) | (pl.col("last_seen") != pl.col("last_seen_wh"))
        | (pl.col("weeks_seen") != pl.col("weeks_seen_wh")))
    health = pl.DataFrame(con.execute(
        "SELECT week, postings_listed, new_postings FROM source_health_weekly WHERE source = ? ORDER BY week",
        [SOURCE]).fetchall(), orient="row", schema={"week": pl.String, "postings_listed": pl.Int64, "new_postings": pl.Int64})
    wk = weekly.join(health, on="week", how="full", suffix="_wh", coalesce=True).sort("week")
    bad_weeks = wk.filter(
        pl.col("postings_listed_wh").is_null() | (pl.col("postings_listed") != pl.col("postings_listed_wh"))
        | (pl.col("new_postings") != pl.col("new_postings_wh")))
    return {
        "postings_truth": per_job.height,
        "postings_lineage": lineage.height,
        "postings_disagreeing": bad.height,
        "disagreements": bad.head(10).rows(named=True),
        "weeks": wk.height,
        "weeks_disagreeing": bad_weeks.height,
        "week_disagreements": bad_weeks.head(10).rows(named=True),
        "weekly": wk.rows(named=True),
    }


def run_replay(history: GreenhouseHistory, workdir: Path, log=print, replay: GreenhouseReplay | None = None) -> dict:
    """Crawl every week of `history` through the replay web with the real
    Greenhouse spider, backfill all weeks (normalize → load → validate →
    publish) and compare the published posting_lineage / source_health_weekly
    with presence. Everything is written under `workdir` (config, lake,
    warehouse); the process environment points CREDWATCH_* there while it runs.
    `replay`: the history's GreenhouseReplay when already built.
    Returns timings, counts and the agreement."""
    from credwatch import pipeline
    from credwatch.orchestration import record_weeks
    from scrapers.run import crawl_many
    import duckdb

    workdir = Path(workdir)
    env = {"CREDWATCH_CONFIG": str(replay_config(workdir / "config", history.boards)),
           "CREDWATCH_LAKE": str(workdir / "lake"), "CREDWATCH_WAREHOUSE": str(workdir / "warehouse")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    out: dict = {"boards": len(history.boards), "weeks": len(history.weeks)}
    try:
        t0 = time.monotonic()
        replay = replay if replay is not None else GreenhouseReplay(history)
        out["replay_index_s"] = round(time.monotonic() - t0, 1)
        log(f"replay: {len(history.boards)} boards x {len(history.weeks)} weeks indexed in {out['replay_index_s']} s")
        with ReplayServer(replay) as server:
            t = time.monotonic()
            crawled = crawl_many(SOURCE, history.weeks, snapshot_url=server.url, timeout_s=3600)
            out["crawl_s"] = round(time.monotonic() - t, 1)
        out["crawl"] = {w: {k: s.get(k) for k in ("requests", "items", "quarantined", "duration_s", "targets_gone")}
                        for w, s in crawled.items()}
        for w in out["crawl"]:
            out["crawl"][w]["targets_gone"] = len(out["crawl"][w]["targets_gone"] or [])
        log(f"replay: crawled {len(crawled)} weeks in {out['crawl_s']} s")
        record_weeks(history.weeks)
        t = time.monotonic()
        result = pipeline.backfill(history.weeks)
        out["backfill_s"] = round(time.monotonic() - t, 1)
        out["backfill_steps_s"] = result["seconds"]
        con = duckdb.connect(str(result["publish"]["database"]), read_only=True)
        try:
            out["agreement"] = lineage_agreement(con, history, replay.presence)
        finally:
            con.close()
        out["total_s"] = round(time.monotonic() - t0, 1)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return out
