"""Reliability suite: what happens to the published data when things go wrong.

Every test runs the real `credwatch` steps as subprocesses on a small offline
snapshot (WEEKS × SOURCES, served by SnapshotServer in this process) in its
own lake and warehouse (CREDWATCH_LAKE / CREDWATCH_WAREHOUSE), and compares
what it published with one undisturbed run of the same steps (`baseline`):
every table's rows and a content checksum (timestamps excluded), raw items
per partition and clean postings per week. docs/benchmarks.md ("Reliability")
lists each fault with the counts before and after.

- kill -9 at each stage, at a point *inside* it, then rerun the stage and
  the ones after it. Kill points: scrape — the snapshot web holds the second
  week's request open (a `slow` fault) and the whole process group (CLI +
  Scrapy runner) is killed; normalize / load / validate / publish — the step
  runs through `credwatch.cli.main` in a child whose named function is
  wrapped to print PAUSED and sleep (the test_publish.py pattern); the
  child is killed as soon as it says PAUSED.
- corrupted / truncated raw items: normalize must quarantine the broken
  lines with a reason and build the week from the rest.
- disk full during publish: a size-limited tmpfs (root only), else
  RLIMIT_FSIZE in the publishing process; the old database must stay
  byte-identical and the error must say so.
- hostile input through the real crawl: SQL injection strings, script
  payloads, a 10 MB description, deeply nested JSON, invalid UTF-8 and a
  gzip bomb; nothing crashes, nothing runs, peak RSS stays bounded.
- concurrency: analysts read the published database in a loop while a
  refresh and a backfill are started at once.

Tests marked `soak` (longer variants: random kill points) only run with
`make soak` (`pytest -m soak tests/test_reliability.py`).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from conftest import REPO
from snapshot import faults as F
from snapshot.planted import CALENDAR
from snapshot.server import JSON, Fault, SnapshotServer
from warehouse.lock import writer_lock
from warehouse.models import published_tables

WEEKS = [CALENDAR[0], CALENDAR[1]]
SOURCES = ["greenhouse", "ashby"]
HOSTILE_WEEK = CALENDAR[2]
STEP_TIMEOUT = 240
TELEMETRY = {"source_health_weekly"}  # published tables compared by row count only


# --------------------------------------------------------------------------- helpers


def _env(root: Path) -> dict:
    env = dict(os.environ)
    env.update(CREDWATCH_LAKE=str(root / "lake"), CREDWATCH_WAREHOUSE=str(root / "warehouse"),
               PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p),
               GX_ANALYTICS_ENABLED="false")
    return env


def _argv(step: str, url: str) -> list[str]:
    if step == "scrape":
        return ["scrape", *[a for w in WEEKS for a in ("--week", w)], *[a for s in SOURCES for a in ("--source", s)],
                "--snapshot-url", url]
    if step in ("normalize", "load"):
        return [step, *[a for w in WEEKS for a in ("--week", w)]]
    return [step]


STEPS = ["scrape", "normalize", "load", "validate", "publish"]

# A child that runs one `credwatch` command with one function wrapped: its
# `nth` call matching `pred` (a Python expression over args `a` / kwargs `k`)
# prints PAUSED and sleeps, so the test can kill the process at that point.
PAUSING_CHILD = textwrap.dedent(
    """
    import importlib, sys, time
    sys.path.insert(0, {repo!r})
    mod = importlib.import_module({module!r})
    real = getattr(mod, {attr!r})
    seen = [0]
    def paused(*a, **k):
        if {pred}:
            seen[0] += 1
            if seen[0] == {nth}:
                print("PAUSED", flush=True)
                time.sleep(600)
        return real(*a, **k)
    setattr(mod, {attr!r}, paused)
    from credwatch.cli import main
    sys.exit(main({argv!r}))
    """
)


def run_step(root: Path, step: str, url: str, argv: list[str] | None = None) -> subprocess.CompletedProcess:
    """`credwatch <step>` for WEEKS / SOURCES; fails the test with its output when it fails."""
    cmd = [str(Path(sys.executable).with_name("credwatch")), *(argv or _argv(step, url))]
    proc = subprocess.run(cmd, env=_env(root), capture_output=True, text=True, timeout=STEP_TIMEOUT, cwd=root)
    assert proc.returncode == 0, f"`credwatch {' '.join(cmd[1:])}` failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def run_steps(root: Path, steps: list[str], url: str) -> None:
    for step in steps:
        run_step(root, step, url)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child and everything it started (the Scrapy runner of a scrape)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(30)
    # Rerun only once the whole group is gone (reaped): a crawl treats the
    # temporaries of a still-listed pid as another live crawl's.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def start_paused(root: Path, step: str, url: str, module: str, attr: str, pred: str = "True",
                 nth: int = 1) -> subprocess.Popen:
    """Start `credwatch <step>` with `module.attr` pausing at its nth matching call; return once PAUSED."""
    code = PAUSING_CHILD.format(repo=str(REPO), module=module, attr=attr, pred=pred, nth=nth, argv=_argv(step, url))
    proc = subprocess.Popen([sys.executable, "-c", code], env=_env(root), cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + STEP_TIMEOUT
    for line in proc.stdout:  # progress lines first, then PAUSED
        if line.strip() == "PAUSED":
            return proc
        if time.monotonic() > deadline:
            break
    kill_group(proc)
    pytest.fail(f"`credwatch {step}` never reached {module}.{attr} (call {nth} matching {pred}): {proc.stderr.read()[-3000:]}")


def published_digest(db: Path) -> dict[str, tuple[int, str]]:
    """{table: (rows, sha256 of its sorted rows)} of a published database; timestamp
    columns are left out (a rerun publishes the same data at another time)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
            cols = [n for n, ty, *_ in con.execute(f'DESCRIBE "{table}"').fetchall()
                    if "TIMESTAMP" not in ty and not n.endswith("_at")]
            rows = con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}" ORDER BY ALL').fetchall()
            # crawl telemetry of a re-crawled week (requests, retries, timings) may differ: rows only
            out[table] = (len(rows), None if table in TELEMETRY else hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def duplicate_keys(db: Path) -> dict[str, int]:
    """{table: rows beyond the first per key} for every published table (all 0 when the grain holds)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        out = {}
        for t in published_tables():
            if t.name in present:
                key = ", ".join(f'"{k}"' for k in t.key)
                out[t.name] = con.execute(f'SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM "{t.name}" GROUP BY {key})').fetchone()[0]
        return out
    finally:
        con.close()


def lake_state(root: Path) -> dict:
    """Counts that must not change between an undisturbed run and a killed-and-rerun one."""
    lake = root / "lake"
    raw = {}
    for part in sorted((lake / "raw").glob("source=*/week=*")):
        if "." in part.name:
            continue
        ids = [json.loads(line)["source_id"] for line in (part / "items.jsonl").read_text(encoding="utf-8").splitlines()]
        assert len(ids) == len(set(ids)), f"{part}: a posting stored twice"
        raw[f"{part.parent.name}/{part.name}"] = len(ids)
    clean = {}
    for part in sorted((lake / "clean").glob("week=*")):
        if "." in part.name:
            continue
        keys = pl.read_parquet(part / "postings.parquet", columns=["posting_key"])["posting_key"]
        assert keys.n_unique() == len(keys), f"{part}: a posting twice in the clean layer"
        clean[part.name] = len(keys)
    db = root / "warehouse" / "credwatch.duckdb"
    return {"raw": raw, "clean": clean, "published": published_digest(db) if db.exists() else None,
            "duplicates": duplicate_keys(db) if db.exists() else None}


def leftovers(root: Path) -> list[str]:
    """Temporaries of dead runs anywhere in the lake / warehouse."""
    pats = ("*.tmp-*", ".*.tmp-*", "*.old-*", ".exports.tmp-*")
    found = {p for d in (root / "lake", root / "warehouse") if d.exists() for pat in pats for p in d.rglob(pat)}
    return sorted(str(p.relative_to(root)) for p in found)


def copy_state(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for name in ("lake", "warehouse"):
        if (src / name).exists():
            shutil.copytree(src / name, dst / name, symlinks=True)
    return dst


# Runs argv[2:] as a child, then writes the peak RSS (KiB) of the children it
# waited for to argv[1]. A child forked straight from pytest would not do: on
# Linux a fork+exec'd child's ru_maxrss starts at its parent's RSS at fork
# time, so a late test in a long session (pytest at ~900 MB) would charge the
# test process's own memory to the step. Forked from this small launcher, the
# step's figure is its own (and its subprocesses').
_RSS_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(rc)\n"
)


def measured_popen(argv: list[str], rss_file: Path, **kwargs) -> subprocess.Popen:
    """Popen of `argv` whose peak RSS peak_rss_mib can read from `rss_file`."""
    return subprocess.Popen([sys.executable, "-c", _RSS_LAUNCHER, str(rss_file), *argv], **kwargs)


def peak_rss_mib(proc: subprocess.Popen, rss_file: Path) -> tuple[int, float]:
    """Wait for a measured_popen process; (exit code, peak RSS in MiB of the
    command and the subprocesses it waited for)."""
    proc.wait()
    return proc.returncode, int(rss_file.read_text()) / 1024


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server():
    with SnapshotServer() as s:
        yield s


@pytest.fixture(scope="module")
def baseline(server, tmp_path_factory):
    """One undisturbed run; a copy of lake + warehouse after each stage (`states`)."""
    root = tmp_path_factory.mktemp("baseline")
    states = {"start": tmp_path_factory.mktemp("state-start")}
    for step in STEPS:
        run_step(root, step, server.url)
        states[step] = copy_state(root, tmp_path_factory.mktemp(f"after-{step}") / "s")
    state = lake_state(root)
    assert state["published"], "the baseline published nothing"
    assert all(n > 0 for n in state["raw"].values()) and len(state["raw"]) == len(WEEKS) * len(SOURCES)
    assert set(state["clean"]) == {f"week={w}" for w in WEEKS}
    return {"root": root, "state": state, "states": states, "checksums": {t: v for t, v in state["published"].items()}}


def soak_only(request) -> None:
    expr = request.config.getoption("markexpr") or ""
    if "soak" not in expr or "not soak" in expr:
        pytest.skip("soak variant: run with `make soak` (pytest -m soak tests/test_reliability.py)")


# --------------------------------------------------------------------------- kill -9 at each stage

# Where each stage is paused before the kill (module, function, predicate, nth call).
KILL_POINTS = {
    # second week half-written: postings/mentions/experience Parquet in week=<W2>.tmp-<pid>, W1 committed
    "normalize": ("transforms.normalize", "normalize_offerings", "True", 2),
    # inside load's transaction, after the first week's rows were replaced
    "load": ("warehouse.models", "run_sql", f"len(a) > 2 and isinstance(a[2], dict) and a[2].get('week') == {WEEKS[1]!r}", 1),
    # the gate has read the marts and is about to run the suites
    "validate": ("expectations.validate", "_gx_context", "True", 1),
    # the new database is built aside and the Parquet export folder created (test_publish.py kills
    # during the build and just before the swap)
    "publish": ("warehouse.publish", "published_tables", "True", 2),
}


def _kill_scrape(root: Path, server) -> dict:
    """Crawl both weeks of both sources; the second week of the last source hangs on the server; kill."""
    path = f"/{WEEKS[1]}/{SOURCES[-1]}/"
    fault = F.slow(600, times=1)
    server.faults[path] = fault
    try:
        cmd = [str(Path(sys.executable).with_name("credwatch")), *_argv("scrape", server.url)]
        proc = subprocess.Popen(cmd, env=_env(root), cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        deadline = time.monotonic() + STEP_TIMEOUT
        while fault.times and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert fault.times == 0, f"the crawl never requested {path}: {proc.poll()}"
        kill_group(proc)
    finally:
        server.faults.pop(path, None)
    raw = root / "lake" / "raw" / f"source={SOURCES[-1]}"
    return {"committed_before_kill": sorted(p.name for p in raw.glob("week=*") if (p / "_SUCCESS").exists()),
            "half_written": sorted(p.name for p in raw.glob("week=*.tmp-*"))}


@pytest.mark.parametrize("stage", STEPS)
def test_kill_9_inside_each_stage_then_rerun_publishes_the_same(baseline, server, tmp_path, stage):
    """kill -9 inside `stage`, rerun from that stage: the same rows, checksums and
    counts as the undisturbed run, no duplicate key, no temporaries left."""
    before = STEPS[STEPS.index(stage) - 1] if stage != "scrape" else "start"
    root = copy_state(baseline["states"][before], tmp_path / "run")
    if stage == "scrape":
        killed = _kill_scrape(root, server)
        assert killed["half_written"], f"the kill did not land inside the crawl: {killed}"
        assert f"week={WEEKS[1]}" not in killed["committed_before_kill"]
    else:
        module, attr, pred, nth = KILL_POINTS[stage]
        kill_group(start_paused(root, stage, server.url, module, attr, pred, nth))
    interrupted = lake_state(root)
    if stage in ("normalize", "scrape"):
        assert interrupted != baseline["state"], "the kill left the stage's output complete: it landed too late"
    if stage == "publish":
        assert interrupted["published"] is None, "a database was published by a killed publish"
        assert leftovers(root), "the kill did not land inside publish (no temporary)"
    run_steps(root, STEPS[STEPS.index(stage):], server.url)
    after = lake_state(root)
    assert after["raw"] == baseline["state"]["raw"], "raw items lost or duplicated"
    assert after["clean"] == baseline["state"]["clean"], "clean postings lost or duplicated"
    assert after["published"] == baseline["state"]["published"], "published tables differ from the undisturbed run"
    assert not any(after["duplicates"].values()), after["duplicates"]
    assert leftovers(root) == [], "temporaries of the killed run were left behind"


@pytest.mark.soak
def test_soak_kill_9_at_random_moments(baseline, server, tmp_path, request):
    """Soak: ten runs of the whole chain, each killed at a random moment
    (seeded), every rerun on top of the previous wreck; then one clean
    rerun must publish exactly the baseline."""
    soak_only(request)
    rng = random.Random(20261129)
    root = copy_state(baseline["states"]["start"], tmp_path / "run")
    for _ in range(10):
        step = rng.choice(STEPS)
        cmd = [str(Path(sys.executable).with_name("credwatch")), *_argv(step, server.url)]
        proc = subprocess.Popen(cmd, env=_env(root), cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.5, 8.0))
        kill_group(proc)
    run_steps(root, STEPS, server.url)
    after = lake_state(root)
    assert {k: after[k] for k in ("raw", "clean", "published")} == {k: baseline["state"][k] for k in ("raw", "clean", "published")}
    assert not any(after["duplicates"].values())


# --------------------------------------------------------------------------- corrupted raw files


def test_corrupted_and_truncated_raw_items_are_quarantined_and_the_week_proceeds(baseline, server, tmp_path):
    """A truncated last line (greenhouse) and a garbage line with invalid UTF-8
    (ashby) in committed items.jsonl: normalize still builds the week from
    every intact line and records the broken lines with a reason."""
    root = copy_state(baseline["states"]["scrape"], tmp_path / "run")
    week = WEEKS[0]
    raw = root / "lake" / "raw"
    gh = raw / "source=greenhouse" / f"week={week}" / "items.jsonl"
    lines = gh.read_bytes().splitlines(keepends=True)
    gh.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # cut mid-record, no newline
    ab = raw / "source=ashby" / f"week={week}" / "items.jsonl"
    ab_lines = ab.read_bytes().splitlines(keepends=True)
    ab.write_bytes(b"".join(ab_lines[:3]) + b'{"source": "ashby", "source_id": "\xff\xfe garbage\n' + b"".join(ab_lines[3:]))
    intact = len(lines) - 1 + len(ab_lines)
    proc = subprocess.run([str(Path(sys.executable).with_name("credwatch")), "normalize", "--week", week],
                          env=_env(root), capture_output=True, text=True, timeout=STEP_TIMEOUT, cwd=root)
    assert proc.returncode == 0, f"normalize crashed on corrupt raw lines:\n{proc.stderr[-2000:]}"
    clean = pl.read_parquet(root / "lake" / "clean" / f"week={week}" / "postings.parquet")
    expected = baseline["state"]["clean"][f"week={week}"] - 1  # the truncated greenhouse posting
    assert clean.height == expected == intact, (clean.height, expected, intact)
    quarantined = [json.loads(line) for q in root.joinpath("lake").rglob("*quarantine*.jsonl")
                   for line in q.read_text(encoding="utf-8").splitlines()]
    reasons = [q.get("reason") for q in quarantined if q.get("reason")]
    assert len(reasons) >= 2, f"the two broken lines were not quarantined with a reason: {quarantined[:5]}"


# --------------------------------------------------------------------------- disk full


def _publish_with_limit(root: Path, how: str, url: str) -> subprocess.CompletedProcess:
    if how == "rlimit":
        code = textwrap.dedent(f"""
            import resource, signal, sys
            sys.path.insert(0, {str(REPO)!r})
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
            from credwatch.cli import main
            sys.exit(main(["publish"]))
        """)
        cmd = [sys.executable, "-c", code]
    else:
        cmd = [str(Path(sys.executable).with_name("credwatch")), "publish"]
    return subprocess.run(cmd, env=_env(root), capture_output=True, text=True, timeout=STEP_TIMEOUT, cwd=root)


@pytest.mark.parametrize("how", ["tmpfs", "rlimit"])
def test_disk_full_during_publish_keeps_the_old_database(baseline, server, tmp_path, how):
    """The warehouse folder cannot hold a second database: publish fails, the
    published file is byte-identical, the message says it is unchanged, no
    temporary is left; after space is freed, publish succeeds."""
    src = baseline["states"]["publish"]
    root = tmp_path / "run"
    root.mkdir()
    shutil.copytree(src / "lake", root / "lake")
    wh = root / "warehouse"
    wh.mkdir()
    mounted = False
    if how == "tmpfs":
        used = sum(f.stat().st_size for f in (src / "warehouse").rglob("*") if f.is_file())
        size_kib = used // 1024 + 512  # the old files + 512 KiB: less than a second database
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(wh)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a size-limited tmpfs here ({r.stderr.strip() or 'not root'}); the rlimit variant covers ENOSPC's path")
        mounted = True
    try:
        for item in (src / "warehouse").iterdir():
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, wh / item.name)
        db = wh / "credwatch.duckdb"
        before = db.read_bytes()
        manifest_before = (wh / "credwatch.publish.json").read_bytes()
        proc = _publish_with_limit(root, how, server.url)
        assert proc.returncode != 0, f"publish succeeded on a full disk:\n{proc.stdout[-1500:]}"
        err = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
        assert f"the published database {db} is unchanged" in err, f"the error does not say the old database is intact: {proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stderr
        assert db.read_bytes() == before, "the published database changed"
        assert (wh / "credwatch.publish.json").read_bytes() == manifest_before
        assert published_digest(db) == baseline["state"]["published"]
        assert leftovers(root) == [], "publish left its temporary on the full disk"
        if how == "tmpfs":
            subprocess.run(["mount", "-o", f"remount,size={size_kib * 4}k", str(wh)], check=True)
        proc = _publish_with_limit(root, "none", server.url)  # space is back
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert published_digest(db) == baseline["state"]["published"]
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(wh)], check=False)


# --------------------------------------------------------------------------- hostile input

MARKER = "/tmp/credwatch-hostile-{pid}"
SQLI_TITLE = "Robert'); DROP TABLE stg_postings; --"
SQLI_COMPANY = "' OR 1=1; DELETE FROM dim_week; --"
BIG = 10_000_000  # characters of the 10 MB description
NEST = 100_000  # depth of the deeply nested JSON
BOMB = 1 << 30  # bytes the gzip bomb inflates to


def _payloads(marker: str) -> str:
    return (f"<script>require('child_process').exec('touch {marker}')</script>"
            f"<img src=x onerror=\"fetch('http://127.0.0.1:9/steal')\">"
            f"<p>$(touch {marker}) `touch {marker}` {{{{7*7}}}} ${{jndi:ldap://127.0.0.1:9/a}} "
            f"__import__('os').system('touch {marker}')</p>"
            f"<p>'; COPY (SELECT 1) TO '{marker}'; --</p>")


def _hostile_board(marker: str):
    def transform(body: bytes) -> bytes:
        doc = json.loads(body)
        jobs = doc["jobs"]
        jobs[0]["title"], jobs[0]["company_name"] = SQLI_TITLE, SQLI_COMPANY
        jobs[1]["content"] = _payloads(marker).replace("<", "&lt;").replace(">", "&gt;") + jobs[1]["content"]
        jobs[2]["content"] = jobs[2]["content"] + "&lt;p&gt;" + ("credential " * (BIG // 11)) + "&lt;/p&gt;"
        return json.dumps(doc).encode()
    return transform


def _nested_board(body: bytes) -> bytes:
    doc = json.loads(body)
    doc["jobs"][0]["metadata"] = "__NEST__"
    return json.dumps(doc).replace('"__NEST__"', "[" * NEST + "]" * NEST).encode()


def _gzip_bomb() -> bytes:
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    chunk = b"\0" * (1 << 20)
    return b"".join([comp.compress(chunk) for _ in range(BOMB >> 20)] + [comp.flush()])


def test_hostile_input_is_stored_as_data_never_run_and_memory_stays_bounded(baseline, server, tmp_path):
    """Through the real crawl → normalize → load → publish, one week:
    greenhouse northwind-cloud serves SQL-injection title/company, script /
    shell / template payloads and a 10 MB description; bluepeak-health
    invalid UTF-8; ashby lumenfield answers with a gzip bomb (~1 MB on the
    wire, 1 GiB inflated) and quarry-analytics with JSON nested 100,000
    deep. Nothing crashes (ashby's week is refused in one clear line), the
    strings are stored verbatim as data, no table is dropped, no marker
    file appears, peak RSS stays bounded."""
    root = tmp_path / "run"
    root.mkdir()
    marker = Path(MARKER.format(pid=os.getpid()))
    marker.unlink(missing_ok=True)
    w = f"/{HOSTILE_WEEK}"
    bomb = _gzip_bomb()
    server.faults.update({
        f"{w}/greenhouse/v1/boards/northwind-cloud/": Fault(transform=_hostile_board(str(marker))),
        f"{w}/greenhouse/v1/boards/bluepeak-health/": F.invalid_utf8(),
        f"{w}/ashby/posting-api/job-board/lumenfield": Fault(status=200, content_type=JSON, body=bomb,
                                                              headers={"Content-Encoding": "gzip"}),
        f"{w}/ashby/posting-api/job-board/quarry-analytics": Fault(transform=_nested_board),
    })
    rss, rcs, errs = {}, {}, {}
    try:
        for step, argv in (("scrape", ["scrape", "--week", HOSTILE_WEEK, "--source", "greenhouse", "--source", "ashby",
                                       "--snapshot-url", server.url]),
                           ("normalize", ["normalize", "--week", HOSTILE_WEEK]),
                           ("load", ["load", "--week", HOSTILE_WEEK]),
                           ("publish", ["publish"])):
            rss_file = tmp_path / f"rss-{step}"
            proc = measured_popen([str(Path(sys.executable).with_name("credwatch")), *argv], rss_file, env=_env(root), cwd=root,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            errs[step] = proc.stderr.read()
            rcs[step], rss[step] = peak_rss_mib(proc, rss_file)
    finally:
        for k in [k for k in server.faults if k.startswith(w)]:
            server.faults.pop(k)
    # A board that cannot be read (the bomb, the nested JSON) loses ashby's whole week, by design
    # (a failed list request means an incomplete week: not committed); scrape says so in one line.
    assert rcs == {"scrape": 2, "normalize": 0, "load": 0, "publish": 0}, f"exit codes {rcs}; stderr: {errs}"
    assert not any("Traceback" in e for e in errs.values()), errs
    assert "ashby" in errs["scrape"] and "not committed because" in errs["scrape"] and "greenhouse" not in errs["scrape"], errs["scrape"]
    assert not marker.exists(), "a payload was executed"
    # bounded memory: a fully inflated bomb alone would be 1024 MiB; the 10 MB text is copied a few times
    print(f"hostile input: peak RSS MiB per step {rss}")
    assert rss["scrape"] < 400, f"crawl peak RSS {rss['scrape']:.0f} MiB (every step: {rss})"
    assert max(rss["normalize"], rss["load"], rss["publish"]) < 1024, rss
    stats = json.loads((root / "lake" / "raw" / "source=greenhouse" / f"week={HOSTILE_WEEK}" / "stats.json").read_text())
    assert stats["peak_rss_bytes"] < 400 << 20, stats["peak_rss_bytes"]
    # stored verbatim, as data
    con = duckdb.connect(str(root / "warehouse" / "work" / "credwatch_work.duckdb"), read_only=True)
    try:
        titles = {r[0]: r[1] for r in con.execute("SELECT title, company FROM stg_postings WHERE week = ?", [HOSTILE_WEEK]).fetchall()}
        tables_left = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        weeks = con.execute("SELECT count(*) FROM dim_week").fetchone()[0]
    finally:
        con.close()
    assert titles.get(SQLI_TITLE) == SQLI_COMPANY, "the SQL-injection posting was not stored verbatim"
    assert {"stg_postings", "dim_week"} <= tables_left and weeks == 1
    clean = pl.read_parquet(root / "lake" / "clean" / f"week={HOSTILE_WEEK}" / "postings.parquet")
    text = "\n".join(clean["text"].to_list())
    assert "<script" not in text and "onerror" not in text and "child_process" not in text, "script markup reached the text"
    big = clean.filter(pl.col("text").str.len_chars() > BIG // 2)
    q = [json.loads(line) for line in (root / "lake" / "raw" / "source=greenhouse" / f"week={HOSTILE_WEEK}" / "quarantine.jsonl")
         .read_text(encoding="utf-8").splitlines()]
    assert big.height == 1 or any(x["reason"] for x in q), "the 10 MB posting was neither kept nor quarantined with a reason"
    # the nested board and the bomb are failures of those targets, recorded, not crashes
    log = (root / "lake" / "logs" / f"scrape-ashby-{HOSTILE_WEEK}.log").read_text(encoding="utf-8", errors="replace")
    assert "lumenfield" in log, "the gzip bomb's board is not named in the crawl log"
    published = published_digest(root / "warehouse" / "credwatch.duckdb")
    assert published["dim_week"][0] == 1


# --------------------------------------------------------------------------- concurrency


def _analyst(db: str, expect: dict, stop, reads, out) -> None:
    """An analyst querying the published database in a loop (a new read-only
    connection each time, as BI tools do): counts errors, and torn reads —
    any table whose row count differs from `expect` (refresh and backfill
    rewrite the same data, so every state a reader can see has these counts)."""
    errors = torn = 0
    while not stop.is_set():
        try:
            con = duckdb.connect(db, read_only=True)
            seen = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in expect}
            con.execute("SELECT week, credential_id, sum(mentioning_postings) FROM credential_demand_weekly "
                        "GROUP BY ALL ORDER BY 3 DESC LIMIT 10").fetchall()
            con.close()
            with reads.get_lock():
                reads.value += 1
            torn += seen != expect
        except Exception as exc:  # any error a reader sees is a failure of the writers' protocol
            errors += 1
            out.put(repr(exc))
    out.put({"reads": reads.value, "errors": errors, "torn": torn})


WRITER_CHILD = textwrap.dedent(
    """
    import contextlib, json, sys, time
    sys.path.insert(0, {repo!r})
    import warehouse.lock, warehouse.load, warehouse.publish
    real = warehouse.lock.writer_lock
    held = [0]
    def log(event):
        print(json.dumps({{"who": {who!r}, "event": event, "t": time.time()}}), flush=True)
    @contextlib.contextmanager
    def traced(db, timeout_s=600.0):
        log("request")
        with real(db, timeout_s={timeout}):
            log("acquired")
            held[0] += 1
            if held[0] == 1:
                time.sleep({hold})  # hold the first lock long enough for the other writer to queue
            try:
                yield
            finally:
                log("released")
    warehouse.load.writer_lock = warehouse.publish.writer_lock = traced
    from credwatch.cli import main
    for argv in {argvs!r}:
        rc = main(argv)
        if rc:
            sys.exit(rc)
    """
)


def _writer(root: Path, who: str, argvs: list[list[str]], hold: float = 1.5, timeout: float = 600.0) -> subprocess.Popen:
    code = WRITER_CHILD.format(repo=str(REPO), who=who, argvs=argvs, hold=hold, timeout=timeout)
    return subprocess.Popen([sys.executable, "-c", code], env=_env(root), cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_readers_never_fail_while_a_refresh_and_a_backfill_run_at_once(baseline, server, tmp_path, monkeypatch):
    """An analyst loops over the published database (read-only) while a refresh
    (load W2 + publish) and a backfill (load W1 + publish) start together:
    the reader sees no error and no torn state, the writers hold the lock one
    at a time (the second waited), both succeed, and the result equals the
    undisturbed run."""
    root = copy_state(baseline["states"]["publish"], tmp_path / "run")
    db = str(root / "warehouse" / "credwatch.duckdb")
    ctx = mp.get_context("spawn")
    q, stop, reads = ctx.Queue(), ctx.Event(), ctx.Value("i", 0)
    expect = {t: n for t, (n, _) in baseline["state"]["published"].items()}
    reader = ctx.Process(target=_analyst, args=(db, expect, stop, reads, q))
    reader.start()
    try:
        writers = {
            "refresh": _writer(root, "refresh", [["load", "--week", WEEKS[1]], ["publish"]]),
            "backfill": _writer(root, "backfill", [["load", "--week", WEEKS[0]], ["publish"]]),
        }
        outs = {k: p.communicate(timeout=STEP_TIMEOUT) for k, p in writers.items()}
        # keep reading a little after the last swap
        t_end = time.monotonic() + 1.0
        while time.monotonic() < t_end or reads.value < 20:
            time.sleep(0.1)
    finally:
        stop.set()
        reader.join(60)
    results = []
    while not q.empty():
        results.append(q.get())
    stats = results[-1]
    assert isinstance(stats, dict), results
    for k, p in writers.items():
        assert p.returncode == 0, f"{k} failed:\n{outs[k][1][-2000:]}"
    events = sorted((json.loads(line) for out, _ in outs.values() for line in out.splitlines() if line.startswith("{")),
                    key=lambda e: e["t"])
    holders, waited = [], 0.0
    for e in events:
        if e["event"] == "acquired":
            assert not holders, f"two writers held the lock at once: {events}"
            holders.append(e["who"])
        elif e["event"] == "released":
            holders.remove(e["who"])
    by = {}
    for e in events:
        by.setdefault(e["who"], []).append(e)
    for evs in by.values():
        req = [e["t"] for e in evs if e["event"] == "request"]
        acq = [e["t"] for e in evs if e["event"] == "acquired"]
        waited = max(waited, max(a - r for r, a in zip(req, acq)))
    assert waited >= 0.5, f"the writers never contended for the lock (max wait {waited:.2f} s): {events}"
    assert stats["errors"] == 0, results
    assert stats["torn"] == 0, results
    assert stats["reads"] >= 20, stats
    assert published_digest(Path(db)) == baseline["state"]["published"]


def test_second_writer_is_refused_clearly_when_the_lock_stays_held(baseline, server, tmp_path):
    """While another process holds the writer lock beyond the wait budget, a
    load exits 2 with one line naming the holder and what to do."""
    root = copy_state(baseline["states"]["publish"], tmp_path / "run")
    work = root / "warehouse" / "work" / "credwatch_work.duckdb"
    before = published_digest(root / "warehouse" / "credwatch.duckdb")
    with writer_lock(work):
        proc = _writer(root, "late", [["load", "--week", WEEKS[0]]], hold=0, timeout=1.0)
        out, err = proc.communicate(timeout=STEP_TIMEOUT)
    assert proc.returncode == 2, (proc.returncode, err[-2000:])
    last = err.strip().splitlines()[-1]
    assert last.startswith("credwatch load: ") and f"pid {os.getpid()}" in last and "wait for it to finish" in last, last
    assert "Traceback" not in err
    assert published_digest(root / "warehouse" / "credwatch.duckdb") == before
