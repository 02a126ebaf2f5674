"""Single-writer lock for the work database.

DuckDB allows one writing process per file. Every step that writes the work
database (load, build, publish) holds this lock; a second writer waits up to
`timeout_s` and then fails with a message saying who holds it.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path


class WriterBusy(RuntimeError):
    pass


@contextlib.contextmanager
def writer_lock(db_path: Path, timeout_s: float = 600.0):
    lock_path = Path(str(db_path) + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise WriterBusy(
                        f"{db_path} is being written by another credwatch run ({holder}); "
                        f"wait for it to finish, or remove {lock_path} only if no such process exists"
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
