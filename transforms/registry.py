"""The credential registry (config/credentials.yml + config/credentials/*.yml)
and the text normalisation shared by every dictionary matcher.

Files: `config/<name>.yml` is read first, then every `config/<name>/*.yml` in
file-name order (one file per domain, plus files derived from third-party
data, each with its own origin and licence at the top). An entry with
`same_as: <id>` does not create a credential: it adds its aliases and exam
codes to that existing entry, so derived data can enrich a hand-curated entry
without changing its id (its origin and licence are appended to the entry's).

Degree levels are registry entries of type `degree` (for catalog linking and
degree extraction); they are never credential demand: `alias_table()` leaves
them out unless asked, and `demand_credentials()` drops them.

Matching is done on *normalised, space-padded* text: lower-case, every run of
characters other than [a-z0-9+#] collapsed to one space, one space on each
side. Aliases are normalised the same way, so Aho-Corasick substring matching
(Polars `str.extract_many`) only ever matches whole words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from credwatch.settings import load_config, paths

NORMALISE_PATTERN = r"[^a-z0-9+#]+"
# The same replacement (NORMALISE_PATTERN -> " ") written so that a lone space,
# by far the commonest separator, is not a match: a run of separators is
# replaced only when it holds a character other than a space or two or more
# spaces. Same output string, about twice as fast on posting text (Polars).
FAST_NORMALISE_PATTERN = r" ?[^a-z0-9+# ][^a-z0-9+#]*| {2,}[^a-z0-9+#]*"
_NORMALISE_RE = re.compile(NORMALISE_PATTERN)
CREDENTIAL_TYPES = {"certification", "license", "certificate", "badge", "degree"}
# Types that are never counted as credential demand in postings.
NON_DEMAND_TYPES = {"degree"}


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
    category: str = ""
    url: str = ""

    @property
    def counts_as_demand(self) -> bool:
        """False for degree levels: a posting asking for a bachelor's is not credential demand."""
        return self.type not in NON_DEMAND_TYPES

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


def registry_files(name: str = "credentials") -> list[str]:
    """Config names of the registry files, in load order: `<name>`, then `<name>/*` sorted."""
    folder = paths().config / name
    extra = sorted(p.stem for p in folder.glob("*.yml")) if folder.is_dir() else []
    return [name] + [f"{name}/{stem}" for stem in extra]


def load_registry(name: str = "credentials") -> dict[str, Credential]:
    """Load, merge and validate the registry files; errors name the file, the entry and the fix."""
    out: dict[str, Credential] = {}
    pending_same_as: list[tuple[str, dict, dict]] = []
    for fname in registry_files(name):
        data = load_config(fname)
        for i, e in enumerate(data.get("credentials") or []):
            where = f"config/{fname}.yml entry #{i} ({e.get('id') or e.get('same_as') or 'no id'})"
            if e.get("same_as"):
                pending_same_as.append((where, e, data))
                continue
            cred = _entry(e, data, where)
            if cred.id in out:
                raise RegistryError(f"{where}: id {cred.id!r} is used twice; ids must be unique "
                                    f"(to enrich an existing entry, write `same_as: {cred.id}` instead of `id:`)")
            out[cred.id] = cred
    for where, e, data in pending_same_as:
        target = e["same_as"]
        if target not in out:
            raise RegistryError(f"{where}: same_as names {target!r}, which is not a credential id; fix the id")
        out[target] = _merge(out[target], e, data, where)
    _check_cross_references(out, name)
    return out


def demand_credentials(reg: dict[str, Credential]) -> dict[str, Credential]:
    """The registry without degree levels: what posting demand and the demand marts count."""
    return {cid: c for cid, c in reg.items() if c.counts_as_demand}


def _entry(e: dict, data: dict, where: str) -> Credential:
    for key in ("id", "name", "issuer", "type", "aliases"):
        if not e.get(key):
            raise RegistryError(f"{where}: field '{key}' is missing or empty; add it")
    if e["type"] not in CREDENTIAL_TYPES:
        raise RegistryError(f"{where}: type {e['type']!r} is not one of {sorted(CREDENTIAL_TYPES)}")
    return Credential(
        id=e["id"],
        name=e["name"],
        issuer=e["issuer"],
        type=e["type"],
        level=str(e.get("level") or data.get("level") or ""),
        aliases=tuple(e["aliases"]),
        exam_codes=tuple(e.get("exam_codes") or ()),
        context_any=_ambiguous(e, where),
        related_skills=tuple(e.get("related_skills") or ()),
        stacks_into=tuple(e.get("stacks_into") or ()),
        origin=e.get("origin", data.get("origin", "")),
        licence=e.get("licence", data.get("licence", "")),
        category=str(e.get("category") or data.get("category") or ""),
        url=str(e.get("url") or ""),
    )


def _ambiguous(e: dict, where: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for a in e.get("ambiguous") or []:
        if not isinstance(a, dict) or "alias" not in a or not a.get("context_any"):
            raise RegistryError(f"{where}: each 'ambiguous' rule needs alias and a non-empty context_any list")
        out[a["alias"]] = tuple(a["context_any"])
    return out


def _merge(c: Credential, e: dict, data: dict, where: str) -> Credential:
    """`c` with the aliases, exam codes and ambiguity rules of a same_as entry appended."""
    unknown = set(e) - {"same_as", "aliases", "exam_codes", "ambiguous", "related_skills", "note", "url",
                        "origin", "licence", "roadmap"}
    if unknown:
        raise RegistryError(f"{where}: a same_as entry may only add aliases, exam_codes, ambiguous, "
                            f"related_skills, url; remove {sorted(unknown)}")
    origin = e.get("origin", data.get("origin", ""))
    licence = e.get("licence", data.get("licence", ""))
    rules = dict(c.context_any)
    for alias, words in _ambiguous(e, where).items():
        rules.setdefault(alias, words)
    return Credential(
        id=c.id, name=c.name, issuer=c.issuer, type=c.type, level=c.level,
        aliases=tuple(dict.fromkeys((*c.aliases, *(e.get("aliases") or ())))),
        exam_codes=tuple(dict.fromkeys((*c.exam_codes, *(e.get("exam_codes") or ())))),
        context_any=rules,
        related_skills=c.related_skills or tuple(e.get("related_skills") or ()),
        stacks_into=c.stacks_into,
        origin=c.origin if origin in ("", c.origin) else f"{c.origin}; aliases also from {origin}",
        licence=c.licence if licence in ("", c.licence) else f"{c.licence}; {licence} (merged aliases)",
        category=c.category, url=c.url or str(e.get("url") or ""),
    )


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


def alias_table(reg: dict[str, Credential], include_degrees: bool = False) -> list[dict]:
    """Rows (pattern, credential_id, surface, context_any) for the matcher.

    `pattern` is the normalised, space-padded alias; the same pattern may map
    to several credentials only when each carries a context rule. Degree
    levels are left out unless `include_degrees` (catalog linking wants them,
    posting demand never does).
    """
    rows = []
    for c in reg.values():
        if not include_degrees and not c.counts_as_demand:
            continue
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
