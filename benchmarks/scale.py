"""Scale generator for benchmarks: N job postings over W ISO weeks, in every job
source's shape, from the snapshot generator (snapshot/generator.py).

Default: 1,000,000 postings over 52 weeks, starting at the demo calendar's
first week (2026-W27), seed snapshot.planted.SEED. Every posting is distinct
(its own id, text and truth) and appears in exactly one week, the week it
was created, so N is also the number of posting-week rows a warehouse scans.
Each week's postings are split over the job sources and their snapshot
boards in the snapshot's own proportions (config/sources.yml `snapshot:`;
greenhouse 45 of every 175, schemaorg 25, ...), so all eight job sources
are present every week. Planted demand curves (snapshot.planted) are
applied per chunk of postings, so the marts still recover them.

Three outputs (pick with the sub-command):

- ``clean``: the clean layer the warehouse loads, written directly (no
  normalize): ``<lake>/clean/week=<W>/postings.parquet`` (the stg_postings
  columns, read from its DDL, + ``text``), ``mentions.parquet``
  (credential demand / perk and degree mentions from the generator's
  truth; skill mentions of the requirement and nice-to-have skill lines,
  as transforms.skills reads each vocabulary line: `skill_lines`) and
  ``offerings.parquet`` (the snapshot catalogs' active offerings of the
  week, snapshot.catalogs, linked to the credential they lead to). For
  warehouse benchmarks (`credwatch load`, the analyst queries).
- ``raw``: committed raw partitions, as a crawl would leave them:
  ``<lake>/raw/source=<s>/week=<W>/items.jsonl`` (scrapers.items.PostingItem
  fields, the description as the HTML snapshot.render serves), empty
  ``quarantine.jsonl`` / ``manifest.jsonl``, ``stats.json``, ``_SUCCESS``.
  For normalize / extract benchmarks without crawling a million pages.
- ``serve``: the snapshot web (snapshot/server.py) serving the scaled
  postings through every source's real API shape, for crawl benchmarks;
  `ScaledSnapshot` keeps only the weeks a crawl is reading in memory.

Streaming: postings are generated, written and dropped in chunks of at most
`CHUNK` (5,000); Parquet and JSON lines are appended chunk by chunk, and one
partition is written aside and renamed into place when complete, so memory
stays at about one chunk per worker (~100 MB) whatever N is. Weeks are
spread over `--jobs` worker processes (default: the number of CPUs).
Throughput on the 2-core reference machine: see docs/benchmarks.md.

Usage:
    .venv/bin/python benchmarks/scale.py clean --lake /tmp/scale/lake                  # 1M over 52 weeks
    .venv/bin/python benchmarks/scale.py raw --lake /tmp/scale/lake --postings 200000 --weeks 4
    .venv/bin/python benchmarks/scale.py serve --postings 40000 --weeks 2 --port 8765  # until Ctrl-C
    CREDWATCH_LAKE=/tmp/scale/lake CREDWATCH_WAREHOUSE=/tmp/scale/wh .venv/bin/credwatch load --from 2026-W27 --to 2027-W26

From Python:
    from benchmarks.scale import write_clean, write_raw, ScaledSnapshot
    counts = write_clean(Path("/tmp/lake"), postings=100_000, weeks=8)

Existing partitions of the requested weeks are replaced (clean) or kept
(raw is immutable: a week whose raw partition exists is skipped).
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from credwatch.weeks import index_between, parse_week, shift, week_range  # noqa: E402
from snapshot import content as C  # noqa: E402
from snapshot import render  # noqa: E402
from snapshot.generator import (  # noqa: E402
    JOB_SOURCES, LOOKBACK_WEEKS, REMOTIVE_ID_BASE, Posting, Snapshot, _WEEK_ZERO,
    hn_month, hn_thread_id,
)
from snapshot.planted import CALENDAR, SEED  # noqa: E402

DEFAULT_POSTINGS = 1_000_000
DEFAULT_WEEKS = 52
CHUNK = 5_000
HN_SCALED_BASE = 60_000_000  # scaled Hacker News comment ids (above the demo's thread and comment ids)
_PER_BOARD = 1_000_000  # ids leave room for this many postings per board and week


# --------------------------------------------------------------------------- the generator


class ScaledSnapshot(Snapshot):
    """The snapshot generator with `postings` new postings spread over `weeks` weeks.

    Week i (0-based) gets postings // weeks (+1 for the first postings % weeks
    weeks), split over (source, board) in the base snapshot's proportions.
    Posting ids are re-issued so they stay unique at any scale (the base
    ids assume < 100 postings per board and week). Only the last
    LOOKBACK_WEEKS + 1 generated weeks stay cached, so serving a long
    calendar week by week needs memory for about one month of postings.
    """

    def __init__(self, postings: int = DEFAULT_POSTINGS, weeks: int = DEFAULT_WEEKS,
                 first_week: str = CALENDAR[0], seed: int = SEED, **kw):
        if postings < 1 or weeks < 1:
            raise ValueError(f"need at least one posting and one week, got postings={postings} weeks={weeks}")
        parse_week(first_week)
        super().__init__(seed=seed, weeks=week_range(first_week, shift(first_week, weeks - 1)), **kw)
        self.total = postings
        # Only the calendar carries postings: no warm-up weeks, so N is exact.
        self.first_creation_week = self.weeks[0]
        self._slots = [(s, i, b) for s in JOB_SOURCES for i, b in enumerate(self.boards[s])]
        self._weights = [super(ScaledSnapshot, self).new_per_week(s, b) for s, _, b in self._slots]

    # -- allocation -----------------------------------------------------------
    def week_total(self, week: str) -> int:
        i = self.weeks.index(week)
        return self.total // len(self.weeks) + (1 if i < self.total % len(self.weeks) else 0)

    def allocation(self, week: str) -> list[tuple[str, int, str, int]]:
        """[(source, board index, board, count)] for the week (largest-remainder split)."""
        total, wsum = self.week_total(week), sum(self._weights)
        exact = [total * w / wsum for w in self._weights]
        counts = [int(x) for x in exact]
        for k in sorted(range(len(exact)), key=lambda k: counts[k] - exact[k])[: total - sum(counts)]:
            counts[k] += 1
        return [(s, i, b, n) for (s, i, b), n in zip(self._slots, counts)]

    def chunks(self, week: str, size: int = CHUNK):
        """Lists of at most `size` postings of `week`, generated one list at a time."""
        # Interleave the sources so every chunk has the week's mix (planted quotas draw from each chunk),
        # and cut the week into equal chunks so none is too small to carry its quotas.
        plan = sorted(((s, i, b, n) for s, i, b, count in self.allocation(week) for n in range(count)),
                      key=lambda t, counts={(s, i): c for s, i, _, c in self.allocation(week)}: (t[3] + 0.5) / counts[t[0], t[1]])
        k = max(1, -(-len(plan) // size))
        bounds = [len(plan) * j // k for j in range(k + 1)]
        for start, end in zip(bounds, bounds[1:]):
            drafts = [self._draft(s, i, b, week, n) for s, i, b, n in plan[start:end]]
            if len(drafts) >= 50:  # quotas of planted demand need a few dozen postings to draw from
                self._assign_planted(week, drafts)
            self._assign_perks(week, drafts)
            yield [self._reissue(self._finish(d), d.b_idx) for d in drafts]

    def _reissue(self, p: Posting, b_idx: int) -> Posting:
        o, n = index_between(_WEEK_ZERO, p.created_week), p.n
        slot = o * 10 * _PER_BOARD + b_idx * _PER_BOARD + n
        pid: int | str
        if p.source == "greenhouse":
            pid = 4_000_000_000_000 + slot
        elif p.source == "smartrecruiters":
            pid = str(744_000_000_000_000 + slot)
        elif p.source == "remotive":
            pid = REMOTIVE_ID_BASE * 1000 + o * _PER_BOARD + n
        elif p.source == "usajobs":
            pid = str(800_000_000_000 + o * _PER_BOARD + n)
        elif p.source == "hackernews":
            pid = HN_SCALED_BASE + o * _PER_BOARD + n
        elif p.source == "schemaorg":
            pid = f"JR{o:04d}{b_idx}{n:07d}"
        else:  # lever, ashby: UUIDs derived from (seed, source, board, week, n) are already unique
            return p
        return dataclasses.replace(p, posting_id=pid)

    # -- serving (SnapshotServer calls these) ------------------------------------
    def _generate_week(self, week: str) -> list[Posting]:
        return [p for chunk in self.chunks(week) for p in chunk]

    def postings_created(self, week: str) -> list[Posting]:
        out = super().postings_created(week)
        with self._lock:
            while len(self._created) > LOOKBACK_WEEKS + 1:
                self._created.pop(next(iter(self._created)))
        return out

    def active_postings(self, source: str, week: str, board: str | None = None) -> list[Posting]:
        out = super().active_postings(source, week, board)
        with self._lock:
            while len(self._active) > 2:
                self._active.pop(next(iter(self._active)))
        return out

    def hn_item(self, week: str, item_id: int) -> tuple[int, str]:
        if item_id < HN_SCALED_BASE:
            return super().hn_item(week, item_id)
        created = shift(_WEEK_ZERO, (item_id - HN_SCALED_BASE) // _PER_BOARD)
        if created > week or created not in self.weeks:
            return 200, "null"
        for p in self.postings_created(created):
            if p.source == "hackernews" and p.posting_id == item_id:
                return 200, render.hn_comment(p, hn_thread_id(hn_month(p.created_week), 0))
        return 200, "null"


# --------------------------------------------------------------------------- rows


def _key(p: Posting) -> str:
    return f"{p.source}:{p.posting_id}"


def _sha(p: Posting) -> str:
    return hashlib.sha256(f"{p.render_seed}|{p.posting_id}".encode()).hexdigest()


def _location(p: Posting) -> str:
    loc = p.location
    return f"Remote ({loc.region})" if loc.city is None else f"{loc.city}, {loc.region}, {loc.country_name}"


def raw_item(p: Posting, week: str) -> dict:
    """The posting as the PostingItem line a spider writes to items.jsonl."""
    s = p.salary
    return {
        "source": p.source, "source_id": str(p.posting_id), "url": f"https://scale.invalid/{p.source}/{p.board}/{p.posting_id}",
        "title": p.title, "company": p.company, "location_raw": _location(p),
        "remote": p.workplace == "remote", "hybrid": p.workplace == "hybrid",
        "description_html": p.description_html, "description_text": None,
        "date_posted": p.created_at.date().isoformat(), "valid_through": None,
        "employment_type": p.employment_type, "salary_raw": s.text if s else None,
        "salary_min": s.min if s else None, "salary_max": s.max if s else None,
        "salary_currency": s.currency if s else None, "salary_period": s.period if s else None,
        "language": "en", "departments": [], "week": week, "fetched_at": f"{parse_week(week).isoformat()}T06:00:00Z",
        "payload_sha256": _sha(p),
    }


def clean_row(p: Posting, week: str) -> dict:
    """The posting as a clean-layer row (what transforms.normalize would produce, from the truth)."""
    s, loc = p.salary, p.location
    annual = (s.annual_min, s.annual_max) if s else (None, None)
    fx = C.CURRENCY_FACTOR[loc.currency]
    usd = tuple(v / fx if v is not None else None for v in annual)
    return {
        "week": week, "posting_key": _key(p), "source": p.source, "source_id": str(p.posting_id),
        "url": f"https://scale.invalid/{p.source}/{p.board}/{p.posting_id}", "title": p.title, "company": p.company,
        "location_raw": _location(p), "remote": p.workplace == "remote", "hybrid": p.workplace == "hybrid",
        "date_posted": p.created_at.date(), "employment_type": p.employment_type,
        "salary_raw": s.text if s else None, "salary_min": s.min if s else None, "salary_max": s.max if s else None,
        "salary_currency": s.currency if s else None, "salary_period": s.period if s else None,
        "language": "en", "payload_sha256": _sha(p),
        "soc_code": p.soc, "soc_major": p.soc[:2], "occupation_method": "exact", "occupation_confidence": 1.0,
        "salary_min_annual": annual[0], "salary_max_annual": annual[1],
        "salary_mid_annual": (annual[0] + annual[1]) / 2 if s else None,
        "salary_min_usd": usd[0], "salary_max_usd": usd[1], "salary_mid_usd": (usd[0] + usd[1]) / 2 if s else None,
        "salary_period_detected": s.period.lower() if s else None, "salary_source": "text" if s else None,
        "country": loc.country, "region": loc.region, "city": loc.city,
        "work_mode": {"on-site": "onsite"}.get(p.workplace, p.workplace),
        "is_multi_location": False, "locations": [_location(p)], "text": p.full_text,
    }


_SKILL_LINES: dict[tuple[str, str], list[dict]] | None = None


def skill_lines() -> dict[tuple[str, str], list[dict]]:
    """(section, line) -> the skill mentions transforms.skills finds on that line.

    The generator writes its skill lines word for word from snapshot.content
    SKILLS (into requirements) and NICE_SKILLS (into the preferred section),
    so extracting each of those ~75 lines once with the real extractor and
    copying the result to every posting that carries the line gives the
    mentions normalize would find there, without running the extractor on a
    million postings (benchmarks/normalize_throughput.py measures that).
    Skills named on other lines (a responsibility, a credential line) are
    not counted: the scaled data has somewhat fewer skill mentions than
    normalize would extract from the same text.
    """
    global _SKILL_LINES
    if _SKILL_LINES is None:
        import polars as pl

        from transforms.skills import skill_mentions

        rows = sorted({("requirements", line) for lines in C.SKILLS.values() for line in lines}
                      | {("preferred", line) for lines in C.NICE_SKILLS.values() for line in lines})
        lines = pl.DataFrame({
            "posting_key": [f"line{i}" for i in range(len(rows))], "line": [line for _, line in rows],
            "line_no": [0] * len(rows), "line_start": [0] * len(rows), "section": [sec for sec, _ in rows],
            "is_heading": [False] * len(rows),
        })
        found = skill_mentions(lines.lazy(), lines.select("posting_key", pl.col("line").alias("text")).lazy()).collect()
        out: dict[tuple[str, str], list[dict]] = {r: [] for r in rows}
        for m in found.iter_rows(named=True):
            i = int(m["posting_key"][4:])
            out[rows[i]].append({k: m[k] for k in ("entity_id", "surface", "strength", "counts_as_demand", "rule")})
        _SKILL_LINES = out
    return _SKILL_LINES


def mention_rows(p: Posting, week: str) -> list[dict]:
    """Credential demand / perk and degree mentions, straight from the posting's
    truth, and the skill mentions of its skill lines (skill_lines)."""
    key, out = _key(p), []
    skills = skill_lines()
    line_no = 0
    for section, lines in (("requirements", p.sections.requirements), ("preferred", p.sections.preferred)):
        for line in lines:
            line_no += 1  # one number per line: the mention grain is (posting, skill, line)
            for m in skills.get((section, line), ()):
                out.append({"posting_key": key, "entity_type": "skill", **m, "line_no": line_no, "line_start": 0,
                            "section": section, "week": week, "field": None})
    for cid, strength in sorted(p.demand.items()):
        out.append({"posting_key": key, "entity_type": "credential", "entity_id": cid, "surface": cid,
                    "line_no": 0, "line_start": 0, "section": "preferred" if strength == "preferred" else "requirements",
                    "strength": strength, "counts_as_demand": True, "rule": "scale_truth", "week": week, "field": None})
    for cid in sorted(p.perks):
        out.append({"posting_key": key, "entity_type": "credential", "entity_id": cid, "surface": cid,
                    "line_no": 0, "line_start": 0, "section": "benefits", "strength": "none",
                    "counts_as_demand": False, "rule": "scale_truth", "week": week, "field": None})
    if p.degree:
        out.append({"posting_key": key, "entity_type": "degree", "entity_id": p.degree, "surface": p.degree,
                    "line_no": 0, "line_start": 0, "section": "requirements",
                    "strength": "or_equivalent" if p.degree_or_equivalent else "required",
                    "counts_as_demand": True, "rule": "scale_truth", "week": week, "field": None})
    return out


def offering_rows(week: str) -> list[dict]:
    """The week's active catalog offerings (snapshot.catalogs: Coursera, Credly and
    course pages; the Microsoft Learn catalog is left out), as transforms.offerings
    writes them, linked to the credential each really leads to."""
    from snapshot import catalogs

    i = catalogs.index(week)
    return [{
        "week": week, "offering_key": f"{o.source}:{o.key}", "source": o.source, "source_id": o.key,
        "provider": o.provider, "title": o.title, "offering_type": o.kind, "price": o.price_at(i),
        "currency": o.currency if o.price_at(i) is not None else None, "duration_hours": o.hours,
        "level": o.level.lower() if o.level else None, "language": o.language,
        "url": f"https://scale.invalid/{o.source}/{o.where}/{o.key}", "status": "active",
        "credential_name": o.credential, "description": o.description, "exam_codes": [o.code] if o.code else [],
        "credential_id": o.leads_to, "link_method": "scale_truth" if o.leads_to else "none",
        "link_score": 1.0 if o.leads_to else None, "link_surface": None,
    } for o in catalogs.active(week)]


def _clean_schemas():
    """Polars schemas of postings.parquet (from the stg_postings DDL, + text) and mentions.parquet."""
    import duckdb
    import polars as pl

    from warehouse.models import run_sql, tables

    types = {"VARCHAR": pl.String, "BOOLEAN": pl.Boolean, "DATE": pl.Date, "DOUBLE": pl.Float64,
             "BIGINT": pl.Int64, "INTEGER": pl.Int32, "VARCHAR[]": pl.List(pl.String)}
    con = duckdb.connect()
    run_sql(con, next(t for t in tables() if t.name == "stg_postings").ddl)
    postings = {n: types[d] for n, d, *_ in con.execute("DESCRIBE stg_postings").fetchall()}
    con.close()
    postings["text"] = pl.String
    mentions = {"posting_key": pl.String, "entity_type": pl.String, "entity_id": pl.String, "surface": pl.String,
                "line_no": pl.Int64, "line_start": pl.Int64, "section": pl.String, "strength": pl.String,
                "counts_as_demand": pl.Boolean, "rule": pl.String, "week": pl.String, "field": pl.String}
    return postings, mentions


# --------------------------------------------------------------------------- writers (one week each)

_SNAP: ScaledSnapshot | None = None


def _snapshot(postings: int, weeks: int, first_week: str, seed: int) -> ScaledSnapshot:
    global _SNAP  # one generator per worker process (building the vocabulary takes ~1 s)
    if _SNAP is None or (_SNAP.total, len(_SNAP.weeks), _SNAP.weeks[0], _SNAP.seed) != (postings, weeks, first_week, seed):
        _SNAP = ScaledSnapshot(postings, weeks, first_week, seed)
    return _SNAP


def _clean_week(lake: str, week: str, spec: tuple) -> dict:
    import polars as pl
    import pyarrow.parquet as pq

    from transforms.offerings import OFFERING_SCHEMA

    snap = _snapshot(*spec)
    p_schema, m_schema = _clean_schemas()
    out = Path(lake) / "clean" / f"week={week}"
    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    writers: dict[str, pq.ParquetWriter] = {}
    n_post = n_ment = 0
    by_source: dict[str, int] = {}
    offerings = pl.DataFrame(offering_rows(week), schema=OFFERING_SCHEMA)
    offerings.write_parquet(tmp / "offerings.parquet")
    try:
        for chunk in snap.chunks(week):
            frames = {
                "postings": pl.DataFrame([{c: None for c in p_schema} | clean_row(p, week) for p in chunk], schema=p_schema),
                "mentions": pl.DataFrame([m for p in chunk for m in mention_rows(p, week)], schema=m_schema),
            }
            for name, df in frames.items():
                table = df.to_arrow()
                if name not in writers:
                    writers[name] = pq.ParquetWriter(tmp / f"{name}.parquet", table.schema, compression="zstd")
                writers[name].write_table(table)
            n_post += len(chunk)
            n_ment += frames["mentions"].height
            for p in chunk:
                by_source[p.source] = by_source.get(p.source, 0) + 1
    finally:
        for w in writers.values():
            w.close()
    counts = {"week": week, "postings": n_post, "mentions": n_ment, "offerings": offerings.height, "postings_by_source": dict(sorted(by_source.items())),
              "generator": "benchmarks/scale.py"}
    (tmp / "counts.json").write_text(json.dumps(counts, indent=2, sort_keys=True))
    if out.exists():
        old = out.with_name(f"{out.name}.old-{os.getpid()}")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)
    return counts


def _raw_week(lake: str, week: str, spec: tuple) -> dict:
    snap = _snapshot(*spec)
    sources = sorted({s for s, _, _, n in snap.allocation(week) if n})
    parts = {s: Path(lake) / "raw" / f"source={s}" / f"week={week}" for s in sources}
    todo = {s: p for s, p in parts.items() if not p.exists()}  # raw is immutable: keep what exists
    tmps = {s: p.with_name(f"{p.name}.tmp-{os.getpid()}") for s, p in todo.items()}
    files = {}
    for s, t in tmps.items():
        shutil.rmtree(t, ignore_errors=True)
        t.mkdir(parents=True)
        files[s] = open(t / "items.jsonl", "w", encoding="utf-8")
    counts: dict[str, int] = {}
    started = time.time()
    try:
        for chunk in snap.chunks(week):
            for p in chunk:
                if p.source in files:
                    files[p.source].write(json.dumps(raw_item(p, week), ensure_ascii=False) + "\n")
                    counts[p.source] = counts.get(p.source, 0) + 1
    finally:
        for fh in files.values():
            fh.close()
    for s, t in tmps.items():
        (t / "quarantine.jsonl").touch()
        (t / "manifest.jsonl").touch()
        stats = {"source": s, "week": week, "items": counts.get(s, 0), "quarantined": 0, "quarantine_reasons": {},
                 "responses": 0, "generator": "benchmarks/scale.py", "duration_s": round(time.time() - started, 2)}
        (t / "stats.json").write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (t / "_SUCCESS").touch()
        os.rename(t, todo[s])
    return {"week": week, "postings": sum(counts.values()), "postings_by_source": dict(sorted(counts.items())),
            "skipped_sources": sorted(set(parts) - set(todo))}


def _run(kind: str, lake: Path, postings: int, weeks: int, first_week: str, seed: int, jobs: int | None) -> dict:
    spec = (postings, weeks, first_week, seed)
    all_weeks = week_range(first_week, shift(first_week, weeks - 1))
    fn = _clean_week if kind == "clean" else _raw_week
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(all_weeks)))
    started = time.perf_counter()
    if jobs == 1:
        per_week = [fn(str(lake), w, spec) for w in all_weeks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            per_week = list(pool.map(fn, [str(lake)] * len(all_weeks), all_weeks, [spec] * len(all_weeks)))
    seconds = time.perf_counter() - started
    total = sum(w["postings"] for w in per_week)
    return {"layer": kind, "lake": str(lake), "weeks": len(all_weeks), "first_week": all_weeks[0],
            "last_week": all_weeks[-1], "postings": total, "seconds": round(seconds, 1),
            "postings_per_s": round(total / seconds) if seconds else None, "per_week": per_week}


def write_clean(lake: Path, postings: int = DEFAULT_POSTINGS, weeks: int = DEFAULT_WEEKS,
                first_week: str = CALENDAR[0], seed: int = SEED, jobs: int | None = None) -> dict:
    """Write `<lake>/clean/week=<W>/` for `weeks` weeks holding `postings` postings in all.
    Returns {"postings", "seconds", "per_week": [{week, postings, mentions, postings_by_source}], ...}."""
    return _run("clean", Path(lake), postings, weeks, first_week, seed, jobs)


def write_raw(lake: Path, postings: int = DEFAULT_POSTINGS, weeks: int = DEFAULT_WEEKS,
              first_week: str = CALENDAR[0], seed: int = SEED, jobs: int | None = None) -> dict:
    """Write committed raw partitions `<lake>/raw/source=<s>/week=<W>/` (items.jsonl per job source)."""
    return _run("raw", Path(lake), postings, weeks, first_week, seed, jobs)


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate N postings over W weeks for benchmarks (see the module docstring).")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, what in (("clean", "write the clean layer (warehouse benchmarks)"),
                       ("raw", "write committed raw partitions (normalize benchmarks)"),
                       ("serve", "serve the scaled snapshot web (crawl benchmarks)")):
        p = sub.add_parser(name, help=what)
        p.add_argument("--postings", type=int, default=DEFAULT_POSTINGS, help=f"postings in all (default {DEFAULT_POSTINGS:,})")
        p.add_argument("--weeks", type=int, default=DEFAULT_WEEKS, help=f"ISO weeks (default {DEFAULT_WEEKS})")
        p.add_argument("--first-week", default=CALENDAR[0], help=f"first ISO week (default {CALENDAR[0]})")
        p.add_argument("--seed", type=int, default=SEED)
        if name == "serve":
            p.add_argument("--port", type=int, default=0, help="0 picks a free port (the URL is printed)")
        else:
            p.add_argument("--lake", type=Path, required=True, help="lake folder to write into (like CREDWATCH_LAKE)")
            p.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    args = ap.parse_args(argv)
    if args.cmd == "serve":
        from snapshot.server import SnapshotServer

        snap = ScaledSnapshot(args.postings, args.weeks, args.first_week, args.seed)
        done = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: done.set())
        with SnapshotServer(snap, port=args.port) as server:
            print(server.url, flush=True)
            print(f"serving {args.postings:,} postings over weeks {snap.weeks[0]}..{snap.weeks[-1]}; "
                  f"crawl with --snapshot-url {server.url}", file=sys.stderr, flush=True)
            while not done.wait(0.5):
                pass
        return 0
    result = _run(args.cmd, args.lake, args.postings, args.weeks, args.first_week, args.seed, args.jobs)
    print(json.dumps({k: v for k, v in result.items() if k != "per_week"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
