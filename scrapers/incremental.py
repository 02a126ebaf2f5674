"""Incremental crawls: skip a posting's detail request when its change marker is unchanged.

Some sources list every posting with a marker that changes when the posting
does (a sitemap's `<lastmod>`; SmartRecruiters' list entry), and need one more
request per posting for its content (the job page, the posting detail). When
the marker equals the one stored in the previous committed week of the same
source, that request is skipped and the previous week's stored item is
*carried forward* into the new partition: every week's partition stays
complete and self-contained (items, archived body, manifest line), so
normalize / dedupe read a week exactly as if it had been crawled in full.

Inputs (the previous partition: the latest week < W of the source with _SUCCESS):
    markers.jsonl   one line per listed posting whose content was stored:
                    {"key", "marker", "sha256" (payload), "fetched_week", "fetched_at",
                     "url" (as fetched), "status", "bytes"}
    items.jsonl     the stored items, found by payload sha256
    quarantine.jsonl  a payload with any quarantined item is never carried
    responses/<sha256>.gz  the archived body, copied into the new partition

Correctness first: no marker, a changed marker, a key the previous week did
not store, a payload that was (partly) quarantined, or a body fetched
`max_age_weeks` or more weeks ago → the posting is fetched.

Memory: a dict key → byte offset in markers.jsonl and payload sha → item
offsets in items.jsonl (about 200 bytes per posting); lines are read when
needed, never all at once.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import IO, Any

from credwatch.settings import paths
from credwatch.weeks import index_between

MARKERS = "markers.jsonl"
#: Set to 1 to ignore previous weeks (a full re-crawl) for every source.
FULL_CRAWL_ENV = "CREDWATCH_FULL_CRAWL"


def previous_partition(source: str, week: str) -> Path | None:
    """The latest committed partition of `source` for a week before `week`, or None."""
    root = paths().raw / f"source={source}"
    if not root.is_dir():
        return None
    weeks = sorted(
        p.name.split("=", 1)[1] for p in root.iterdir()
        if p.is_dir() and p.name.startswith("week=") and "." not in p.name and (p / "_SUCCESS").exists()
    )
    earlier = [w for w in weeks if w < week]
    return root / f"week={earlier[-1]}" if earlier else None


def _payload_sha(line: bytes) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if isinstance(record, dict) and isinstance(record.get("item"), dict):  # a quarantine line
        record = record["item"]
    sha = record.get("payload_sha256") if isinstance(record, dict) else None
    return sha if isinstance(sha, str) else None


class CarryIndex:
    """What the previous committed week stored, by listed key; see the module docstring."""

    def __init__(self, partition: Path, week: str, max_age_weeks: int | None = None):
        self.partition = partition
        self.week = partition.name.split("=", 1)[1]   # the previous week
        self.current_week = week
        self.max_age_weeks = max_age_weeks
        self.keys: dict[str, int] = {}
        self.items: dict[str, list[int]] = {}
        self._files: dict[str, IO[bytes]] = {}
        markers = partition / MARKERS
        if not markers.exists():
            return
        shas: set[str] = set()
        with open(markers, "rb") as fh:
            offset = 0
            for line in fh:
                try:
                    record = json.loads(line)
                    self.keys[str(record["key"])] = offset
                    shas.add(record["sha256"])
                except (ValueError, KeyError, TypeError):
                    pass
                offset += len(line)
        quarantined: set[str] = set()
        if (partition / "quarantine.jsonl").exists():
            with open(partition / "quarantine.jsonl", "rb") as fh:
                quarantined = {s for s in map(_payload_sha, fh) if s}
        with open(partition / "items.jsonl", "rb") as fh:
            offset = 0
            for line in fh:
                sha = _payload_sha(line) if b'"payload_sha256"' in line else None
                if sha in shas and sha not in quarantined:
                    self.items.setdefault(sha, []).append(offset)
                offset += len(line)

    @classmethod
    def load(cls, source: str, week: str, max_age_weeks: int | None = None) -> CarryIndex | None:
        previous = previous_partition(source, week)
        return cls(previous, week, max_age_weeks) if previous is not None else None

    def __len__(self) -> int:
        return len(self.keys)

    def _line(self, name: str, offset: int) -> dict[str, Any]:
        fh = self._files.get(name)
        if fh is None:
            fh = self._files[name] = open(self.partition / name, "rb")
        fh.seek(offset)
        return json.loads(fh.readline())

    def lookup(self, key: str, marker: str | None) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """(previous markers.jsonl record, its stored item records) when the posting can be
        carried forward unchanged; None when it must be fetched."""
        if not marker or key not in self.keys:
            return None
        record = self._line(MARKERS, self.keys[key])
        if record.get("marker") != marker:
            return None
        fetched_week = str(record.get("fetched_week") or self.week)
        if self.max_age_weeks and index_between(fetched_week, self.current_week) >= self.max_age_weeks:
            return None
        offsets = self.items.get(record.get("sha256"))
        if not offsets or not (self.partition / "responses" / f"{record['sha256']}.gz").exists():
            return None
        return record, [self._line("items.jsonl", o) for o in offsets]

    def copy_response(self, sha: str, target_dir: Path) -> None:
        """Hard-link (else copy) responses/<sha>.gz into `target_dir` (the new partition's responses/)."""
        source, target = self.partition / "responses" / f"{sha}.gz", target_dir / f"{sha}.gz"
        if target.exists() or not source.exists():
            return
        try:
            os.link(source, target)
        except OSError:  # another filesystem, or links not allowed
            shutil.copyfile(source, target)

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
