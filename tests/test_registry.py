"""Rules for config/credentials.yml and the loader in transforms.registry."""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import pytest  # noqa: E402
import yaml  # noqa: E402

from transforms.registry import (  # noqa: E402
    CREDENTIAL_TYPES,
    RegistryError,
    load_registry,
    normalise,
)

REGISTRY_FILE = REPO_ROOT / "config" / "credentials.yml"

# Other code depends on these ids; they must never disappear or be renamed.
PINNED_IDS = """
comptia-a-plus comptia-network-plus comptia-security-plus comptia-cysa-plus comptia-pentest-plus
cissp cism cisa ceh oscp gsec ccna ccnp-enterprise
aws-ccp aws-saa aws-sap aws-developer-associate aws-sysops-associate
ms-az-900 ms-az-104 ms-az-204 ms-az-305 ms-az-500 ms-pl-300 ms-dp-900 ms-ai-900 ms-sc-900
gcp-ace gcp-pca cka ckad terraform-associate
google-data-analytics databricks-de-associate snowflake-snowpro-core tableau-desktop-specialist
pmp capm csm psm-i safe-agilist prince2-foundation itil-4-foundation lean-six-sigma-green-belt
cpa cfa cma shrm-cp phr
rn lpn cna bls acls
cdl-class-a osha-10 osha-30 epa-608
""".split()

MICROSOFT_EXAM_CODES = {
    "ms-az-900": "AZ-900",
    "ms-az-104": "AZ-104",
    "ms-az-204": "AZ-204",
    "ms-az-305": "AZ-305",
    "ms-az-500": "AZ-500",
    "ms-pl-300": "PL-300",
    "ms-dp-900": "DP-900",
    "ms-ai-900": "AI-900",
    "ms-sc-900": "SC-900",
}

LEVELS = {"foundational", "associate", "professional", "expert", "entry", "intermediate", "advanced", "n/a"}
CATEGORIES = {
    "it-security", "cloud", "data", "software", "project-management",
    "agile", "finance", "hr", "healthcare", "trades-safety",
}
KEBAB_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def reg(monkeypatch_module):
    monkeypatch_module.setenv("CREDWATCH_CONFIG", str(REPO_ROOT / "config"))
    return load_registry()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def raw_entries():
    with open(REGISTRY_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["credentials"]


# ------------------------------------------------------------------ the file


def test_loads_with_enough_entries(reg):
    assert len(reg) >= 60


def test_ids_unique_and_kebab_case(raw_entries):
    ids = [e["id"] for e in raw_entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"ids used more than once: {dupes}"
    bad = [i for i in ids if not KEBAB_ID.match(i)]
    assert not bad, f"ids must be lowercase kebab-case: {bad}"


def test_types_levels_categories_valid(reg, raw_entries):
    for c in reg.values():
        assert c.type in CREDENTIAL_TYPES, f"{c.id}: bad type {c.type!r}"
        assert c.type != "degree", f"{c.id}: degrees are extracted elsewhere, not listed in the registry"
        assert c.level in LEVELS, f"{c.id}: bad level {c.level!r}"
    for e in raw_entries:
        assert e.get("category") in CATEGORIES, f"{e['id']}: bad category {e.get('category')!r}"


def test_stacks_into_targets_exist(reg):
    for c in reg.values():
        for target in c.stacks_into:
            assert target in reg, f"{c.id}.stacks_into names unknown id {target!r}"
            assert target != c.id, f"{c.id} stacks into itself"


def test_stacks_into_has_no_cycles(reg):
    state: dict[str, str] = {}

    def visit(cid: str, path: list[str]) -> None:
        if state.get(cid) == "done":
            return
        assert state.get(cid) != "open", f"stacks_into cycle: {' -> '.join(path + [cid])}"
        state[cid] = "open"
        for t in reg[cid].stacks_into:
            visit(t, path + [cid])
        state[cid] = "done"

    for cid in reg:
        visit(cid, [])


@pytest.mark.parametrize(
    "chain",
    [
        ["comptia-a-plus", "comptia-network-plus", "comptia-security-plus", "comptia-cysa-plus"],
        ["aws-ccp", "aws-saa", "aws-sap"],
        ["ms-az-900", "ms-az-104", "ms-az-305"],
        ["capm", "pmp"],
        ["cna", "lpn", "rn"],
        ["osha-10", "osha-30"],
        ["ccna", "ccnp-enterprise"],
    ],
)
def test_expected_stacking_chains(reg, chain):
    for a, b in zip(chain, chain[1:]):
        assert b in reg[a].stacks_into, f"expected {a} -> {b}"


def test_pinned_ids_present(reg):
    missing = [i for i in PINNED_IDS if i not in reg]
    assert not missing, f"pinned ids missing from the registry: {missing}"


def test_every_entry_has_origin_and_licence(reg):
    for c in reg.values():
        assert c.origin, f"{c.id}: no origin (set it on the entry or at the top of the file)"
        assert c.licence, f"{c.id}: no licence (set it on the entry or at the top of the file)"


def test_related_skills_count(reg):
    for c in reg.values():
        assert 2 <= len(c.related_skills) <= 5, f"{c.id}: needs 2-5 related_skills, has {len(c.related_skills)}"


def test_microsoft_exam_codes_and_official_names(reg):
    for cid, code in MICROSOFT_EXAM_CODES.items():
        c = reg[cid]
        assert code in c.exam_codes, f"{cid}: exam code {code} missing"
        assert any(s.startswith("Microsoft Certified: ") for s in (c.name, *c.aliases)), (
            f"{cid}: the official 'Microsoft Certified: ...' name must be the name or an alias"
        )


def test_en_dash_names_have_hyphen_variant(reg):
    for c in reg.values():
        for s in (c.name, *c.aliases):
            if "\u2013" in s:
                assert s.replace("\u2013", "-") in c.aliases, f"{c.id}: add the ASCII-hyphen variant of {s!r}"


def test_no_alias_normalises_to_nothing(reg):
    for c in reg.values():
        for s in c.surface_forms:
            assert normalise(s).strip(), f"{c.id}: {s!r} normalises to nothing"


# -------------------------------------------------------------- ambiguity


def _rule_keys(c) -> set[str]:
    return {normalise(a) for a in c.context_any}


def test_shared_aliases_have_rules_on_every_claimant(reg):
    claimants: dict[str, set[str]] = defaultdict(set)
    for c in reg.values():
        for s in c.surface_forms:
            claimants[normalise(s)].add(c.id)
    for key, ids in claimants.items():
        if len(ids) < 2:
            continue
        unruled = sorted(i for i in ids if key not in _rule_keys(reg[i]))
        assert not unruled, f"alias {key.strip()!r} is shared by {sorted(ids)}; {unruled} lack an ambiguity rule"


def test_ambiguous_alias_rules_well_formed(reg):
    for c in reg.values():
        for alias, words in c.context_any.items():
            assert alias in c.aliases, f"{c.id}: ambiguous alias {alias!r} must also be listed in aliases"
            assert len(words) >= 2, f"{c.id}: ambiguous alias {alias!r} needs >= 2 context words"
            for w in words:
                assert w == normalise(w).strip(), (
                    f"{c.id}: context word {w!r} for {alias!r} must be written normalised ({normalise(w).strip()!r})"
                )
            # Another form of the same credential that normalises identically but has
            # no rule would make the rule useless.
            key = normalise(alias)
            unruled = [s for s in c.surface_forms if normalise(s) == key and s not in c.context_any]
            assert not unruled, f"{c.id}: {unruled} normalise like ambiguous {alias!r} but have no rule"


@pytest.mark.parametrize("alias", ["CSM", "CPA", "CNA", "RN", "LPN", "BLS", "CMA", "PHR"])
def test_known_ambiguous_acronyms_have_rules(reg, alias):
    owners = [c for c in reg.values() if alias in c.aliases]
    assert owners, f"no credential lists {alias!r}"
    for c in owners:
        assert alias in c.context_any, f"{c.id}: {alias!r} means other things in postings; give it a context rule"


def test_common_short_forms_present(reg):
    expected = {
        "comptia-security-plus": ["Security+", "CompTIA Security+", "Sec+"],
        "comptia-network-plus": ["Network+"],
        "aws-saa": ["AWS Certified Solutions Architect - Associate"],
        "pmp": ["PMP"],
        "cissp": ["CISSP"],
    }
    for cid, forms in expected.items():
        keys = {normalise(s) for s in reg[cid].surface_forms}
        for f in forms:
            assert normalise(f) in keys, f"{cid}: missing surface form {f!r}"


# ------------------------------------------------------------ bad registries

_GOOD_A = """
  - id: good-a
    name: Good A
    issuer: Issuer
    type: certification
    aliases: ["Good A", "GA"]
"""

BAD_REGISTRIES = {
    "duplicate-id": (
        _GOOD_A
        + """
  - id: good-a
    name: Another A
    issuer: Issuer
    type: certification
    aliases: ["Another A"]
""",
        r"'good-a' is used twice",
    ),
    "unknown-stacks-into": (
        _GOOD_A
        + """
  - id: good-b
    name: Good B
    issuer: Issuer
    type: certification
    aliases: ["Good B"]
    stacks_into: [no-such-credential]
""",
        r"stacks_into names 'no-such-credential'",
    ),
    "shared-alias-no-rule": (
        _GOOD_A
        + """
  - id: good-b
    name: Good B
    issuer: Issuer
    type: certification
    aliases: ["Good B", "ga"]
""",
        r"alias 'ga' is claimed by good-a and good-b",
    ),
    # A rule on only the second claimant is not enough: the first would still
    # match the alias with no context (and the result depended on entry order).
    "shared-alias-rule-on-one-side": (
        _GOOD_A
        + """
  - id: good-b
    name: Good B
    issuer: Issuer
    type: certification
    aliases: ["Good B", "GA"]
    ambiguous: [{alias: "GA", context_any: ["alpha", "beta"]}]
""",
        r"alias 'GA' is claimed by good-a and good-b",
    ),
    "bad-type": (
        """
  - id: good-a
    name: Good A
    issuer: Issuer
    type: diploma
    aliases: ["Good A"]
""",
        r"type 'diploma' is not one of",
    ),
}


def _write_registry(folder: Path, entries_yaml: str) -> None:
    (folder / "credentials.yml").write_text(
        'version: "test"\norigin: test\nlicence: CC0-1.0\ncredentials:\n' + entries_yaml.lstrip("\n"),
        encoding="utf-8",
    )


@pytest.mark.parametrize("case", sorted(BAD_REGISTRIES))
def test_bad_registry_rejected(tmp_path, monkeypatch, case):
    entries, message = BAD_REGISTRIES[case]
    _write_registry(tmp_path, entries)
    monkeypatch.setenv("CREDWATCH_CONFIG", str(tmp_path))
    with pytest.raises(RegistryError, match=message):
        load_registry()


def test_shared_alias_with_rules_on_both_sides_loads(tmp_path, monkeypatch):
    _write_registry(
        tmp_path,
        """
  - id: good-a
    name: Good A
    issuer: Issuer
    type: certification
    aliases: ["Good A", "GA"]
    ambiguous: [{alias: "GA", context_any: ["gamma", "delta"]}]
  - id: good-b
    name: Good B
    issuer: Issuer
    type: certification
    aliases: ["Good B", "GA"]
    ambiguous: [{alias: "GA", context_any: ["alpha", "beta"]}]
""",
    )
    monkeypatch.setenv("CREDWATCH_CONFIG", str(tmp_path))
    reg = load_registry()
    assert set(reg) == {"good-a", "good-b"}
    assert reg["good-b"].context_any["GA"] == ("alpha", "beta")
    assert reg["good-a"].origin == "test" and reg["good-a"].licence == "CC0-1.0"
