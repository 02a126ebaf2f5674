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
REGISTRY_FILES = [REGISTRY_FILE, *sorted((REPO_ROOT / "config" / "credentials").glob("*.yml"))]
ROADMAP_FILE = REPO_ROOT / "config" / "credentials" / "security_roadmap.yml"

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
DEGREE_LEVELS = {"secondary", "undergraduate", "graduate", "doctoral", "professional"}
CATEGORIES = {
    "it-security", "cloud", "data", "software", "project-management",
    "agile", "finance", "hr", "healthcare", "trades-safety", "degree",
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
    """Every entry that creates a credential, from every registry file, with its file's defaults."""
    out = []
    for path in REGISTRY_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for e in data["credentials"]:
            if "same_as" not in e:
                out.append({"category": data.get("category"), **e, "_file": path.name})
    return out


# ------------------------------------------------------------------ the file


def test_loads_with_enough_entries(reg):
    assert len(reg) >= 400
    by_category = defaultdict(int)
    for c in reg.values():
        by_category[c.category] += 1
    for category in CATEGORIES:
        assert by_category[category] >= 8, f"category {category} has only {by_category[category]} credentials"


def test_ids_unique_and_kebab_case(raw_entries):
    ids = [e["id"] for e in raw_entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"ids used more than once: {dupes}"
    bad = [i for i in ids if not KEBAB_ID.match(i)]
    assert not bad, f"ids must be lowercase kebab-case: {bad}"


def test_types_levels_categories_valid(reg, raw_entries):
    for c in reg.values():
        assert c.type in CREDENTIAL_TYPES, f"{c.id}: bad type {c.type!r}"
        if c.type == "degree":
            assert c.category == "degree" and c.level in DEGREE_LEVELS, f"{c.id}: degrees need category degree"
            assert not c.counts_as_demand
        else:
            assert c.level in LEVELS, f"{c.id}: bad level {c.level!r}"
            assert c.category != "degree" and c.counts_as_demand
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
        if c.type == "degree":
            continue  # a degree level has no skill profile of its own
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
    "same-as-unknown-target": (
        _GOOD_A
        + """
  - same_as: no-such-credential
    aliases: ["Another GA"]
""",
        r"same_as names 'no-such-credential'",
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


# ----------------------------------------------------- merged files, licences, degrees


def test_every_file_states_origin_and_licence():
    for path in REGISTRY_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data.get("origin") and data.get("licence") and data.get("version"), f"{path.name}: origin/licence/version"


def test_security_roadmap_keeps_attribution_and_licence(reg):
    header = ROADMAP_FILE.read_text(encoding="utf-8").split("credentials:")[0]
    for words in ("Paul Jerimy", "PaulJerimy/SecCertRoadmap", "CC BY-SA 4.0", "LICENSE-CC-BY-SA-4.0.txt", "CHANGES"):
        assert words in header, f"security_roadmap.yml header lacks {words!r}"
    licence_text = (ROADMAP_FILE.parent / "LICENSE-CC-BY-SA-4.0.txt").read_text(encoding="utf-8")
    assert "Attribution-ShareAlike 4.0 International" in licence_text
    derived = [c for c in reg.values() if c.licence == "CC-BY-SA-4.0"]
    assert len(derived) >= 300
    assert all("SecCertRoadmap" in c.origin for c in derived)


def test_same_as_entries_add_aliases_and_keep_ids(reg):
    cissp = reg["cissp"]
    assert cissp.name.startswith("Certified Information Systems Security Professional")
    assert "(ISC)2 Certified Information Systems Security Professional" in cissp.aliases
    assert "CC-BY-SA-4.0" in cissp.licence and "CC0-1.0" in cissp.licence  # merged aliases are marked
    assert "GIAC Certified Incident Handler" in reg["gcih"].aliases


def test_ambiguous_roadmap_codes_need_their_issuer(reg):
    # Codes that are English words or mean other things in postings count only with context.
    for cid, alias in [("eccouncil-csa", "CSA"), ("isc2-cc", "CC"), ("giac-grid", "GRID"), ("imi-cams", "CAMS"),
                       ("acams-cams", "CAMS"), ("gaqm-csp", "CSP"), ("bcsp-csp", "CSP")]:
        assert alias in reg[cid].context_any, f"{cid}: {alias!r} needs a context rule"
    # The GAQM look-alikes never take the well-known acronyms.
    assert "CSM" not in reg["gaqm-csm"].aliases and "CFA" not in reg["gaqm-cfa"].aliases


def test_degrees_are_not_demand_aliases(reg):
    from transforms.registry import alias_table, demand_credentials

    degrees = {c.id for c in reg.values() if c.type == "degree"}
    assert {"degree-high-school", "degree-associate", "degree-bachelor", "degree-master", "degree-mba",
            "degree-doctorate", "degree-jd", "degree-md"} <= degrees
    assert not degrees & {r["credential_id"] for r in alias_table(reg)}
    assert degrees <= {r["credential_id"] for r in alias_table(reg, include_degrees=True)}
    assert not degrees & set(demand_credentials(reg))


def test_cross_credential_alias_containment_stays_rare(reg):
    """Cross-credential containment is allowed (the extractor keeps the longer match) but must stay
    rare and deliberate: the short side must be a bare code, never a multi-word name."""
    keys = {}
    for c in reg.values():
        if c.counts_as_demand:
            for s in c.surface_forms:
                keys.setdefault(normalise(s), set()).add(c.id)
    offenders = []
    for short, owners in keys.items():
        if len(short.split()) < 3:
            continue
        for long_, other in keys.items():
            if long_ != short and short in long_ and not owners & other:
                offenders.append((short.strip(), long_.strip()))
    assert len(offenders) <= 40, offenders[:20]
