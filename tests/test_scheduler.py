"""The weekly DAG under a real Airflow deployment, not a test shortcut:

PostgreSQL (Debian package; installed with apt-get when missing) on
127.0.0.1 in a throwaway cluster → `airflow db migrate` → pools from
config/pools.yml → the API server, DAG processor and scheduler (LocalExecutor,
parallelism 4) as separate processes → the snapshot web on loopback →
`credential_demand_weekly` triggered through the REST API (/api/v2, JWT from
the SimpleAuthManager with a generated password) for one week → polled until
the run succeeds → the published marts checked against the generator's truth
→ the report DAG, triggered by the marts Asset, must succeed too. Then every
process started here is stopped (process-group kill) and the test asserts
that none is left (process groups gone, and no process on the machine
carries this test's marker variable).

PostgreSQL that cannot be installed is a failure with the reason, never a skip.
Timings of each phase are printed to the terminal (also without `-s`).
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from credwatch.orchestration import domain_groups, group_task_id
from credwatch.settings import ROOT

pytestmark = pytest.mark.e2e

WEEK = "2026-W30"
DAG_ID = "credential_demand_weekly"
REPORT_DAG_ID = "credwatch_report"
RUN_TIMEOUT_S = 480
START_TIMEOUT_S = 180
TOLERANCE = 0.005
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


# ----------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<major>/bin holding initdb and postgres."""
    found = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists() and (p / "postgres").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def _running_postmasters() -> set[int]:
    out = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if (proc / "comm").read_text().strip() == "postgres" and b"-D" in (proc / "cmdline").read_bytes():
                    out.add(int(proc.name))
    return out


def ensure_postgres() -> Path:
    """PostgreSQL's server binaries, installing Debian's `postgresql` package
    if needed. Fails (not skips) with the reason when that is impossible."""
    found = pg_bin_dir()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail(
            "PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin/initdb) and this test "
            "cannot install them (needs root and apt-get). Install Debian's `postgresql` package and rerun."
        )
    before = _running_postmasters()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Keep the package from starting its default cluster (there is no init
    # system in CI): invoke-rc.d consults policy-rc.d, 101 = "action forbidden".
    policy = Path("/usr/sbin/policy-rc.d")
    had_policy = policy.exists()
    if not had_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        for cmd in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"]):
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
            if proc.returncode != 0:
                pytest.fail(f"could not install PostgreSQL: `{' '.join(cmd)}` exited {proc.returncode}:\n{proc.stdout[-3000:]}")
    finally:
        if not had_policy:
            policy.unlink(missing_ok=True)
    # Whatever cluster the package still started is ours to stop.
    for pid in _running_postmasters() - before:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    found = pg_bin_dir()
    if not found:
        pytest.fail("apt-get installed `postgresql` but no /usr/lib/postgresql/*/bin/initdb exists")
    return found


class Processes:
    """Every process this test starts, each in its own process group, all
    carrying a marker variable so leftovers can be found anywhere."""

    def __init__(self, logdir: Path, marker: str):
        self.logdir, self.marker = logdir, marker
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, cmd: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "w")
        proc = subprocess.Popen(cmd, env={**env, "CREDWATCH_TEST_MARKER": self.marker}, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise AssertionError(f"process(es) exited early: {dead}\n{self.tails(list(dead))}")

    def tails(self, names: list[str] | None = None, n: int = 40) -> str:
        out = []
        for name in names or list(self.procs):
            path = self.logdir / f"{name}.log"
            lines = path.read_text(errors="replace").splitlines()[-n:] if path.exists() else []
            out.append(f"--- {path} (last {n} lines)\n" + "\n".join(lines))
        return "\n".join(out)

    def stop(self, name: str, sig: int = signal.SIGTERM, grace_s: float = 30) -> None:
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + grace_s
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _group_alive(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def leftovers(self) -> list[str]:
        """Processes still alive: in a started group, or carrying the marker."""
        left = [f"process group of {n} (pgid {p.pid})" for n, p in self.procs.items() if _group_alive(p.pid)]
        needle = f"CREDWATCH_TEST_MARKER={self.marker}".encode()
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit() and int(proc.name) != os.getpid():
                with contextlib.suppress(OSError):
                    if needle in (proc / "environ").read_bytes().split(b"\0"):
                        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")[:200]
                        left.append(f"pid {proc.name}: {cmdline!r}")
        return left

    def kill_leftovers(self) -> None:
        needle = f"CREDWATCH_TEST_MARKER={self.marker}".encode()
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit() and int(proc.name) != os.getpid():
                with contextlib.suppress(OSError):
                    if needle in (proc / "environ").read_bytes().split(b"\0"):
                        os.kill(int(proc.name), signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A group whose members are all zombies is gone for our purpose.
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (proc / "stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    return True
    return False


class Api:
    def __init__(self, base: str):
        self.base, self.token = base, None

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = 30) -> dict:
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"{}")

    def login(self, user: str, password: str) -> None:
        self.token = self.call("POST", "/auth/token", {"username": user, "password": password})["access_token"]


def wait_for(what: str, fn, timeout_s: float, procs: Processes, interval: float = 1.0):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        procs.check_alive()
        try:
            got = fn()
            if got:
                return got
        except (urllib.error.URLError, ConnectionError, OSError, KeyError) as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what} (last error: {last})\n{procs.tails()}")


# ----------------------------------------------------------------- the test


def test_weekly_dag_under_real_scheduler(tmp_path, capsys):
    from snapshot.generator import Snapshot
    from snapshot.server import SnapshotServer

    timings: dict[str, float] = {}
    t_start = t = time.monotonic()

    def say(msg: str) -> None:
        with capsys.disabled():  # timings are part of the result: shown even without -s
            print(f"\n[scheduler-test] {msg}", end="", flush=True)

    def lap(name: str) -> None:
        nonlocal t
        now = time.monotonic()
        timings[name] = round(now - t, 1)
        say(f"{name}: {timings[name]} s")
        t = now

    pg_bin = ensure_postgres()
    lap("postgres available")

    marker = secrets.token_hex(8)
    logdir = tmp_path / "logs"
    logdir.mkdir()
    procs = Processes(logdir, marker)
    # PostgreSQL refuses to run as root: the cluster belongs to `postgres`
    # (created by the Debian package) and lives outside pytest's 0700 tmp dir.
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    pg_dir = Path(tempfile.mkdtemp(prefix="credwatch-pg-"))
    if as_pg:
        shutil.chown(pg_dir, "postgres", "postgres")
    data = pg_dir / "data"
    pg_port, api_port = free_port(), free_port()
    lake, warehouse = tmp_path / "lake", tmp_path / "warehouse"
    home = tmp_path / "airflow"
    home.mkdir()
    password = secrets.token_urlsafe(18)
    (home / "passwords.json").write_text(json.dumps({"credwatch": password}))
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://airflow@127.0.0.1:{pg_port}/airflow",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__CORE__FERNET_KEY": "",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "credwatch:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        # Run only when triggered: unpausing a catchup=False DAG would otherwise
        # start the latest past week at once (crawling production endpoints).
        "CREDWATCH_SCHEDULE": "manual",
        "CREDWATCH_LAKE": str(lake),
        "CREDWATCH_WAREHOUSE": str(warehouse),
        "GX_ANALYTICS_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    server = SnapshotServer()
    url = server.start()
    env["CREDWATCH_SNAPSHOT_URL"] = url  # belt and braces: no run of this deployment may leave loopback
    try:
        # -- PostgreSQL on loopback, trust auth (throwaway, 127.0.0.1 only)
        subprocess.run(as_pg + [str(pg_bin / "initdb"), "-D", str(data), "-U", "airflow", "--auth=trust", "-E", "UTF8",
                                "--no-instructions"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.start("postgres", as_pg + [str(pg_bin / "postgres"), "-D", str(data), "-p", str(pg_port),
                                         "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={pg_dir}",
                                         "-c", "max_connections=100", "-c", "fsync=off"], env)
        wait_for("PostgreSQL to accept connections", lambda: subprocess.run(
            [str(pg_bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(pg_port)], stdout=subprocess.DEVNULL).returncode == 0,
            60, procs, interval=0.3)
        subprocess.run([str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(pg_port), "-U", "airflow", "airflow"],
                       check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lap("postgres cluster initialised and started")

        # -- metadata DB and pools
        mig = subprocess.run([AIRFLOW, "db", "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert mig.returncode == 0, f"airflow db migrate failed:\n{mig.stdout[-3000:]}"
        lap("airflow db migrate")
        from credwatch.orchestration import import_pools

        expected_pools = import_pools(AIRFLOW, env)
        lap("pools imported from config/pools.yml")

        # -- Airflow services
        procs.start("api-server", [AIRFLOW, "api-server"], env)
        procs.start("dag-processor", [AIRFLOW, "dag-processor"], env)
        procs.start("scheduler", [AIRFLOW, "scheduler"], env)
        api = Api(f"http://127.0.0.1:{api_port}")
        wait_for("the API server", lambda: api.call("GET", "/api/v2/monitor/health", timeout=5), START_TIMEOUT_S, procs)
        api.login("credwatch", password)
        pools = {p["name"]: p["slots"] for p in api.call("GET", "/api/v2/pools?limit=100")["pools"]}
        for name, spec in expected_pools.items():
            assert pools.get(name) == spec["slots"], f"pool {name} missing or wrong in Airflow: {pools}"
        wait_for("the DAG processor to register both DAGs", lambda: all(
            _has_dag(api, d) for d in (DAG_ID, REPORT_DAG_ID)), START_TIMEOUT_S, procs)
        lap("api-server, dag-processor, scheduler up; DAGs registered")

        # -- trigger one week through the REST API
        for dag_id in (DAG_ID, REPORT_DAG_ID):
            api.call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
        run = api.call("POST", f"/api/v2/dags/{DAG_ID}/dagRuns",
                       {"logical_date": None, "conf": {"week": WEEK, "snapshot_url": url}})
        run_id = run["dag_run_id"]
        assert run.get("logical_date") is None, "an API-triggered run has no logical date; the week comes from conf"

        def run_state():
            state = api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")["state"]
            if state == "failed":
                raise AssertionError(f"run {run_id} failed: {_task_summary(api, DAG_ID, run_id)}\n{procs.tails()}")
            return state == "success"

        wait_for(f"{DAG_ID} run {run_id} to succeed", run_state, RUN_TIMEOUT_S, procs, interval=2)
        lap(f"{DAG_ID} run for {WEEK} (trigger → success)")
        tasks = _task_summary(api, DAG_ID, run_id)
        say(f"task durations (s): {tasks}")
        assert all(state == "success" for state, _ in tasks.values()), tasks
        expected = {f"scrape.{group_task_id(g)}[{i}]" for g, names in domain_groups("all").items() for i in range(len(names))}
        assert {k for k in tasks if k.startswith("scrape.")} == expected

        # -- the marts Asset triggers the report DAG
        def report_done():
            runs = api.call("GET", f"/api/v2/dags/{REPORT_DAG_ID}/dagRuns?limit=10")["dag_runs"]
            if any(r["state"] == "failed" for r in runs):
                raise AssertionError(f"{REPORT_DAG_ID} failed: {runs}\n{procs.tails()}")
            return any(r["state"] == "success" and r["run_type"] == "asset_triggered" for r in runs)

        wait_for(f"{REPORT_DAG_ID} (triggered by the marts Asset) to succeed", report_done, 180, procs, interval=2)
        lap(f"{REPORT_DAG_ID} asset-triggered run")
        server.stop()

        # -- the published marts
        import duckdb

        con = duckdb.connect(str(warehouse / "credwatch.duckdb"), read_only=True)
        try:
            rows = con.execute("SELECT week, credential_id, active_postings, demand_share FROM credential_demand_weekly "
                               "WHERE soc_major = 'ALL' AND region = 'ALL'").fetchall()
        finally:
            con.close()
        assert rows and {r[0] for r in rows} == {WEEK}, f"published weeks {sorted({r[0] for r in rows})}"
        assert all(0.0 <= r[3] <= 1.0 for r in rows), "a demand share outside [0, 1]"
        published = {r[1]: r for r in rows}
        truth = Snapshot().truth_demand([WEEK])
        off = [(t["credential_id"], published[t["credential_id"]][3], t["demand_share"]) for t in truth
               if abs(published[t["credential_id"]][3] - t["demand_share"]) > TOLERANCE
               or published[t["credential_id"]][2] != t["active_postings"]]
        assert not off, f"published shares differ from the generator's truth: {off[:10]}"
        record = json.loads((lake / "runs" / f"week={WEEK}" / "sources.json").read_text())
        assert record["status"] == "complete", record
        report = json.loads((warehouse / "reports" / "run_report.json").read_text())
        assert report["weeks"] == [WEEK] and report["partial_weeks"] == []
        lap("marts, run record and report checked")
    finally:
        server.stop()
        t_stop = time.monotonic()
        for name in ("scheduler", "dag-processor", "api-server"):
            if name in procs.procs:
                procs.stop(name)
        if "postgres" in procs.procs:
            procs.stop("postgres", sig=signal.SIGINT)  # fast shutdown
        left = procs.leftovers()
        procs.kill_leftovers()
        shutil.rmtree(pg_dir, ignore_errors=True)
        say(f"stop everything: {time.monotonic() - t_stop:.1f} s; total {time.monotonic() - t_start:.1f} s")
    assert not left, f"processes left behind after stopping: {left}"


def _has_dag(api: Api, dag_id: str) -> bool:
    try:
        return api.call("GET", f"/api/v2/dags/{dag_id}", timeout=5)["dag_id"] == dag_id
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise


def _task_summary(api: Api, dag_id: str, run_id: str) -> dict[str, tuple[str, float | None]]:
    tis = api.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=100")["task_instances"]
    return {(t["task_id"] if t["map_index"] < 0 else f"{t['task_id']}[{t['map_index']}]"):
            (t["state"], round(t["duration"], 1) if t.get("duration") is not None else None) for t in tis}
