"""One raw partition `<lake>/raw/source=<name>/week=<W>/`, written aside and swapped in.

Layout of a committed partition:
    items.jsonl         one item per line (dataclass fields)
    quarantine.jsonl    items that failed validation, with a `reason`
    manifest.jsonl      one line per response: url, status, fetched_at, sha256, bytes
                        (+ `carried_from: <week>` for a body carried forward, not fetched)
    markers.jsonl       sources with change markers only: listed key → marker, payload
                        sha256, fetched_week (see scrapers/incremental.py)
    responses/<sha256>.gz   every response body, gzip, content-addressed
    stats.json          crawl counters (see extensions.RawPartitionExtension)
    _SUCCESS            empty marker, written last before the rename

A crawl writes into the sibling `week=<W>.tmp-<pid>/` and renames it into place
when it closes, so readers never see a half-written week. Raw data is
immutable: an existing final folder is never overwritten.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import IO, Any

from credwatch.settings import paths


class RawPartition:
    def __init__(self, source: str, week: str):
        self.source = source
        self.week = week
        self.final: Path = paths().raw_partition(source, week)
        self.tmp: Path = self.final.with_name(f"{self.final.name}.tmp-{os.getpid()}")
        self._files: dict[str, IO[str]] = {}
        self.responses = 0
        self.archived_bytes = 0
        self.items = 0
        self.quarantined = 0
        self.quarantine_reasons: dict[str, int] = {}
        self.item_count: dict[str, int] = {}
        self._opened = False

    # -- lifecycle -----------------------------------------------------------
    def exists(self) -> bool:
        return self.final.exists()

    def open(self) -> None:
        if self._opened:
            return
        if self.final.exists():
            raise FileExistsError(
                f"raw partition {self.final} already exists and raw data is immutable; "
                "delete that folder by hand only if you mean to re-crawl the week"
            )
        if self.tmp.exists():  # a previous process with our pid left it behind
            shutil.rmtree(self.tmp)
        (self.tmp / "responses").mkdir(parents=True)
        self._opened = True

    def _ensure_open(self) -> None:
        if not self._opened:
            self.open()

    def close_files(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()

    def commit(self, stats: dict[str, Any]) -> Path:
        """Write stats.json and _SUCCESS, then rename the temp folder into place."""
        self._ensure_open()
        self.close_files()
        for name in ("items.jsonl", "quarantine.jsonl", "manifest.jsonl"):
            (self.tmp / name).touch()  # empty files say "nothing", missing ones say "broken"
        (self.tmp / "stats.json").write_text(
            json.dumps(stats, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
        (self.tmp / "_SUCCESS").touch()
        if self.final.exists():
            self.abort()
            raise FileExistsError(
                f"raw partition {self.final} appeared while this crawl ran (another crawl of the "
                "same week?); kept the existing one and discarded this crawl"
            )
        os.rename(self.tmp, self.final)
        return self.final

    def abort(self) -> None:
        self.close_files()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self._opened = False

    # -- writers -------------------------------------------------------------
    def _append(self, name: str, record: dict[str, Any]) -> None:
        self._ensure_open()
        fh = self._files.get(name)
        if fh is None:
            fh = self._files[name] = open(self.tmp / name, "a", encoding="utf-8")
        fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    def archive(self, url: str, status: int, body: bytes, fetched_at: str) -> str:
        """Store a response body under responses/<sha256>.gz and log it in the manifest."""
        self._ensure_open()
        sha = hashlib.sha256(body).hexdigest()
        target = self.tmp / "responses" / f"{sha}.gz"
        if not target.exists():
            part = target.with_suffix(".gz.part")
            # mtime=0 keeps the archive byte-identical for identical bodies.
            with open(part, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                gz.write(body)
            os.replace(part, target)
        self._append(
            "manifest.jsonl",
            {"url": url, "status": status, "fetched_at": fetched_at, "sha256": sha, "bytes": len(body)},
        )
        self.responses += 1
        self.archived_bytes += len(body)
        return sha

    def marker(self, record: dict[str, Any]) -> None:
        """One markers.jsonl line: a listed posting's change marker and the payload stored for it."""
        self._append("markers.jsonl", record)

    def carry_response(self, previous, record: dict[str, Any]) -> None:
        """Copy a previous week's archived body (`previous`: a CarryIndex) into this partition
        and log it in the manifest with `carried_from`, so the week stays self-contained.
        Not counted in `responses` (nothing was downloaded)."""
        self._ensure_open()
        previous.copy_response(record["sha256"], self.tmp / "responses")
        self._append("manifest.jsonl", {
            "url": record.get("url"), "status": record.get("status"), "fetched_at": record.get("fetched_at"),
            "sha256": record["sha256"], "bytes": record.get("bytes"), "carried_from": previous.week})

    def append_item(self, record: dict[str, Any], item_type: str) -> None:
        self._append("items.jsonl", record)
        self.items += 1
        self.item_count[item_type] = self.item_count.get(item_type, 0) + 1

    def quarantine(self, record: dict[str, Any], reason: str, item_type: str) -> None:
        self._append("quarantine.jsonl", {"reason": reason, "item_type": item_type, "item": record})
        self.quarantined += 1
        self.quarantine_reasons[reason] = self.quarantine_reasons.get(reason, 0) + 1


def utc_now_iso() -> str:
    """Current UTC time as ISO 8601 with a Z suffix, second precision."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
