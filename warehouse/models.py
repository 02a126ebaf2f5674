"""The warehouse's tables and build steps, read from the SQL files beside this
module.

- models/ddl/<table>.sql: CREATE TABLE + COMMENT ON. Its first line is a
  header `-- layer: …; grain: …; key: a, b; published: true|false` that this
  module reads, so a table's documentation lives next to its SQL.
- models/build/NN_<step>.sql: DML run in file-name order. Named parameters
  ($week, $postings_path, …) are bound per run; only those a statement uses.
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
    return sorted((MODELS / "build").glob("*.sql"))


def run_sql(con, sql: str, params: dict | None = None) -> None:
    params = params or {}
    for stmt in statements(sql):
        used = {name: params[name] for name in _PARAM_RE.findall(stmt) if name in params}
        missing = set(_PARAM_RE.findall(stmt)) - set(used)
        if missing:
            raise ValueError(f"SQL needs parameter(s) {sorted(missing)} that were not given: {stmt[:80]}…")
        con.execute(stmt, used or None)
