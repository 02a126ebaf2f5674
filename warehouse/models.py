"""The warehouse's tables and build steps, read from the SQL files beside this
module.

- models/ddl/<table>.sql: CREATE TABLE + COMMENT ON. Its first line is a
  header `-- layer: …; grain: …; key: a, b; published: true|false` (and,
  optionally, `export_partition: col`) that this module reads, so a table's documentation lives next to its SQL.
- models/build/NN_<step>.sql: DML run in file-name order. Named parameters
  ($week, $postings_path, …) are bound per run; only those a statement uses.
- models/build/NN_<step>.py: a step SQL cannot express well (a bootstrap):
  a module with SCOPE = "mart" (per affected week) or "global" and
  `build(con, params)`; it runs at its place in the same file-name order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MODELS = Path(__file__).resolve().parent / "models"
_PARAM_RE = re.compile(r"\$([a-z_]+)")


@dataclass(frozen=True)
class Table:
    name: str
    layer: str
    grain: str
    key: tuple[str, ...]
    published: bool
    ddl: str
    # Column the Parquet export is partitioned by when it is not `week`
    # (header `export_partition: col`); None: `week` if the table has one.
    export_partition: str | None = None


def _header(path: Path) -> dict[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    if not first.startswith("--"):
        raise ValueError(f"{path}: first line must be the '-- layer: …; grain: …; key: …; published: …' header")
    fields = {}
    for part in first[2:].split(";"):
        k, _, v = part.partition(":")
        fields[k.strip()] = v.strip()
    for k in ("layer", "grain", "key", "published"):
        if k not in fields:
            raise ValueError(f"{path}: header lacks '{k}:'; add it to the first line")
    return fields


def tables() -> list[Table]:
    out = []
    for path in sorted((MODELS / "ddl").glob("*.sql")):
        h = _header(path)
        out.append(
            Table(
                name=path.stem,
                layer=h["layer"],
                grain=h["grain"],
                key=tuple(k.strip() for k in h["key"].split(",")),
                published=h["published"].lower() == "true",
                ddl=path.read_text(encoding="utf-8"),
                export_partition=h.get("export_partition") or None,
            )
        )
    return out


def published_tables() -> list[Table]:
    return [t for t in tables() if t.published]


def statements(sql: str) -> list[str]:
    """Split a SQL file into statements (our files keep ';' only at line ends)."""
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", body) if s.strip()]


def build_steps() -> list[Path]:
    return sorted([*(MODELS / "build").glob("*.sql"), *(MODELS / "build").glob("[0-9]*.py")], key=lambda p: p.name)


def _python_step(path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"credwatch_build_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if getattr(module, "SCOPE", None) not in ("mart", "global") or not callable(getattr(module, "build", None)):
        raise ValueError(f"{path}: a Python build step needs SCOPE = 'mart' or 'global' and a build(con, params) function")
    return module


def step_scope(path: Path) -> str:
    """staging (reads a clean partition), mart (per affected week) or global."""
    if path.suffix == ".py":
        return _python_step(path).SCOPE
    sql = path.read_text()
    if any(p in sql for p in ("$postings_path", "$mentions_path", "$offerings_path", "$candidates_path", "$source_stats_path")):
        return "staging"
    return "mart" if "$week" in sql else "global"


def run_step(con, path: Path, params: dict | None = None) -> None:
    if path.suffix == ".py":
        _python_step(path).build(con, dict(params or {}))
    else:
        run_sql(con, path.read_text(), params)


def run_sql(con, sql: str, params: dict | None = None) -> None:
    params = params or {}
    for stmt in statements(sql):
        used = {name: params[name] for name in _PARAM_RE.findall(stmt) if name in params}
        missing = set(_PARAM_RE.findall(stmt)) - set(used)
        if missing:
            raise ValueError(f"SQL needs parameter(s) {sorted(missing)} that were not given: {stmt[:80]}…")
        con.execute(stmt, used or None)
