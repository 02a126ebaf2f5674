"""The credential registry (config/credentials.yml) and the text normalisation
shared by every dictionary matcher.

Matching is done on *normalised, space-padded* text: lower-case, every run of
characters other than [a-z0-9+#] collapsed to one space, one space on each
side. Aliases are normalised the same way, so Aho-Corasick substring matching
(Polars `str.extract_many`) only ever matches whole words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from credwatch.settings import load_config

NORMALISE_PATTERN = r"[^a-z0-9+#]+"
_NORMALISE_RE = re.compile(NORMALISE_PATTERN)
CREDENTIAL_TYPES = {"certification", "license", "certificate", "badge", "degree"}


def normalise(text: str) -> str:
    """Python twin of the Polars expression in transforms.extract (same rule)."""
    return " " + _NORMALISE_RE.sub(" ", text.lower()).strip() + " "


@dataclass(frozen=True)
class Credential:
    id: str
    name: str
    issuer: str
    type: str
    level: str
    aliases: tuple[str, ...]
    exam_codes: tuple[str, ...] = ()
    # alias -> words of which at least one must appear in the posting
    context_any: dict[str, tuple[str, ...]] = field(default_factory=dict)
    related_skills: tuple[str, ...] = ()
    stacks_into: tuple[str, ...] = ()
    origin: str = ""
    licence: str = ""

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Every string that names this credential in text: name, aliases, exam codes."""
        seen, out = set(), []
        for s in (self.name, *self.aliases, *self.exam_codes):
            if s not in seen:
                seen.add(s)
                out.append(s)
        return tuple(out)


class RegistryError(ValueError):
    pass


def load_registry(name: str = "credentials") -> dict[str, Credential]:
    """Load and validate the registry; errors name the entry and the fix."""
    data = load_config(name)
    entries = data.get("credentials") or []
    out: dict[str, Credential] = {}
    for i, e in enumerate(entries):
        cid = e.get("id")
        where = f"config/{name}.yml entry #{i} ({cid or 'no id'})"
        for key in ("id", "name", "issuer", "type", "aliases"):
            if not e.get(key):
                raise RegistryError(f"{where}: field '{key}' is missing or empty; add it")
        if e["type"] not in CREDENTIAL_TYPES:
            raise RegistryError(f"{where}: type {e['type']!r} is not one of {sorted(CREDENTIAL_TYPES)}")
        if cid in out:
            raise RegistryError(f"{where}: id {cid!r} is used twice; ids must be unique")
        ambiguous = {a["alias"]: tuple(a["context_any"]) for a in (e.get("ambiguous") or [])}
        out[cid] = Credential(
            id=cid,
            name=e["name"],
            issuer=e["issuer"],
            type=e["type"],
            level=str(e.get("level") or ""),
            aliases=tuple(e["aliases"]),
            exam_codes=tuple(e.get("exam_codes") or ()),
            context_any=ambiguous,
            related_skills=tuple(e.get("related_skills") or ()),
            stacks_into=tuple(e.get("stacks_into") or ()),
            origin=e.get("origin", data.get("origin", "")),
            licence=e.get("licence", data.get("licence", "")),
        )
    _check_cross_references(out, name)
    return out


def _check_cross_references(reg: dict[str, Credential], name: str) -> None:
    # normalised alias -> (first claimant, whether all its forms of it carry a context rule)
    claimed: dict[str, tuple[str, bool]] = {}
    for c in reg.values():
        for target in c.stacks_into:
            if target not in reg:
                raise RegistryError(
                    f"config/{name}.yml: {c.id}.stacks_into names {target!r}, which is not a credential id; add it or fix the id"
                )
        for alias in c.surface_forms:
            key = normalise(alias)
            if key.strip() == "":
                raise RegistryError(f"config/{name}.yml: {c.id} has alias {alias!r} that normalises to nothing")
            ambiguous_here = alias in c.context_any
            other = claimed.get(key)
            if other is None or other[0] == c.id:
                claimed[key] = (c.id, ambiguous_here and (other is None or other[1]))
            elif not (ambiguous_here and other[1]):
                # A shared alias needs a context rule on every claimant, whatever the entry order.
                raise RegistryError(
                    f"config/{name}.yml: alias {alias!r} is claimed by {other[0]} and {c.id}; "
                    f"remove one or give it an 'ambiguous' context rule on each"
                )


def alias_table(reg: dict[str, Credential]) -> list[dict]:
    """Rows (pattern, credential_id, surface, context_any) for the matcher.

    `pattern` is the normalised, space-padded alias; the same pattern may map
    to several credentials only when each carries a context rule.
    """
    rows = []
    for c in reg.values():
        for s in c.surface_forms:
            rows.append(
                {
                    "pattern": normalise(s),
                    "credential_id": c.id,
                    "surface": s,
                    "context_any": list(c.context_any.get(s, ())),
                }
            )
    return rows
