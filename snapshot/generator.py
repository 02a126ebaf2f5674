"""Deterministic generator of the offline snapshot web's job postings.

`Snapshot(seed)` generates, per ISO creation week, new postings for every
job source's snapshot boards / sites in config/sources.yml (NEW_PER_BOARD
per board; NEW_PER_SOURCE split over a source's boards; 175 a week in all)
and knows which are active in any week: a posting created in week k with
lifetime L (1-4 weeks) is served, identical, in weeks k .. k+L-1. A Hacker
News posting is a comment in its month's "Who is hiring?" thread, so it
stays up until the last week of that month (the month of the ISO week's
Thursday). Creation starts three weeks before the calendar so the first
calendar week already holds postings of every age.

Every posting carries its truth (`demand`, `perks`, `degree`, ...), set
before its text is written, so tests can assert exactly what an extractor
should find. Planted credentials (snapshot.planted) get demand by quota
only; background credentials are drawn per role family.

Determinism: every random draw comes from `random.Random` seeded with a
string built from (seed, purpose, source, board, week, n), never from
Python's salted hash(), so two processes render byte-identical responses.

Credential surface forms come from the registry (config/credentials.yml) at
run time; ambiguous short acronyms (the registry's `context_any` aliases) are
never written bare, except RN / LPN / CNA in a healthcare posting that
already contains one of their context words.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import random
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Iterable

from credwatch.settings import load_config
from credwatch.weeks import index_between, parse_week, shift, week_range
from snapshot import content as C
from snapshot import mslearn, render
from snapshot.planted import (
    CALENDAR,
    DEMAND_CURVES,
    PERK_CREDENTIAL,
    PERK_RATE,
    PLANTED_FAMILIES,
    SEED,
    demand_probability,
    premium,
)
from transforms.registry import Credential, demand_credentials, load_registry, normalise

JOB_SOURCES = ("greenhouse", "lever", "schemaorg", "ashby", "smartrecruiters", "remotive", "usajobs", "hackernews")
# New postings per creation week: per board / site / company ...
NEW_PER_BOARD = {"greenhouse": 15, "lever": 15, "ashby": 12, "smartrecruiters": 12}
# ... or for the whole source, split over its boards (schema.org sitemaps).
NEW_PER_SOURCE = {"schemaorg": 25, "remotive": 12, "usajobs": 10, "hackernews": 5}
# config/sources.yml `snapshot:` key listing each source's boards; None = one fixed endpoint.
BOARD_KEYS = {"greenhouse": "boards", "lever": "sites", "schemaorg": "sitemaps", "ashby": "boards",
              "smartrecruiters": "companies", "remotive": None, "usajobs": None, "hackernews": None}
SINGLE_ENDPOINT = {"remotive": "remote-jobs", "usajobs": "search", "hackernews": "whoishiring"}
# Employers of sources that carry many companies (drawn per posting).
POOLED_EMPLOYERS = {"schemaorg": C.SITE_EMPLOYERS, "remotive": C.REMOTE_EMPLOYERS,
                    "usajobs": C.AGENCY_EMPLOYERS, "hackernews": C.HN_EMPLOYERS}
WARMUP_WEEKS = 3
MAX_LIFETIME = 4
LOOKBACK_WEEKS = 5  # longest any posting stays up: a Hacker News thread's month
BENCH_MAX_PAGES = 50_000  # the sitemaps.org limit of URLs per sitemap
STRENGTHS = ("required", "preferred", "or_equivalent")
# Acronyms that may be written bare, and only in healthcare postings with context.
HEALTHCARE_ACRONYM_IDS = ("rn", "lpn", "cna")
_WEEK_ZERO = "2020-W01"  # origin of the week ordinal used in posting ids


REMOTIVE_ID_BASE = 2_100_000
HN_COMMENT_ID_BASE = 47_500_000
HN_THREAD_ID_BASE = 47_000_000
HN_THREAD_KINDS = ("Ask HN: Who is hiring?", "Ask HN: Who wants to be hired?", "Ask HN: Freelancer? Seeking freelancer?")


def hn_month(week: str) -> dt.date:
    """First day of the month whose "Who is hiring?" thread an ISO week belongs to (its Thursday's month)."""
    return (parse_week(week) + dt.timedelta(days=3)).replace(day=1)


def hn_month_weeks(month: dt.date, upto: str | None) -> list[str]:
    """The ISO weeks whose Thursday falls in `month` (up to week `upto` when given)."""
    first = month - dt.timedelta(days=month.weekday())  # Monday on or before the 1st
    out = []
    for i in range(6):
        monday = first + dt.timedelta(weeks=i)
        iso = monday.isocalendar()
        week = f"{iso[0]}-W{iso[1]:02d}"
        if hn_month(week) == month and (upto is None or week <= upto):
            out.append(week)
    return out


def hn_thread_id(month: dt.date, kind: int) -> int:
    """Item id of a whoishiring thread: kind 0 = Who is hiring?, 1 = Who wants to be hired?, 2 = Freelancer?"""
    return HN_THREAD_ID_BASE + ((month.year - 2020) * 12 + month.month - 1) * 10 + kind


def hn_thread_month(item_id: int) -> tuple[dt.date, int] | None:
    """(month, kind) of a thread id, or None when `item_id` is not one."""
    offset = item_id - HN_THREAD_ID_BASE
    if not 0 <= offset < HN_COMMENT_ID_BASE - HN_THREAD_ID_BASE or offset % 10 >= len(HN_THREAD_KINDS):
        return None
    months, kind = divmod(offset, 10)
    return dt.date(2020 + months // 12, months % 12 + 1, 1), kind


def _rng(*parts: object) -> random.Random:
    """A generator seeded by a stable string (str seeds hash with SHA-512, not hash())."""
    return random.Random("|".join(str(p) for p in parts))


def stable_int(text: str, digits: int = 7) -> int:
    """A stable positive integer id derived from `text` (for offices, departments, metadata)."""
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % (10**digits) + 10 ** (digits - 1)


def _eastern_offset(day: dt.date) -> dt.timezone:
    """US Eastern offset on `day` (DST from the 2nd Sunday of March to the 1st Sunday of November).

    Written out instead of zoneinfo so output never depends on the machine's tzdata.
    """
    def nth_sunday(month: int, n: int) -> dt.date:
        first = dt.date(day.year, month, 1)
        return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))

    dst = nth_sunday(3, 2) <= day < nth_sunday(11, 1)
    return dt.timezone(dt.timedelta(hours=-4 if dst else -5))


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Salary:
    """A posted pay range, exactly as the salary line in the text states it.

    `period` is "YEAR" or "HOUR"; `min == max` for single-figure lines.
    """

    min: float
    max: float
    currency: str
    period: str
    text: str

    @property
    def annual_min(self) -> float:
        return self.min * (C.HOURS_PER_YEAR if self.period == "HOUR" else 1)

    @property
    def annual_max(self) -> float:
        return self.max * (C.HOURS_PER_YEAR if self.period == "HOUR" else 1)


@dataclass(frozen=True)
class Sections:
    """The posting's text, section by section (plain strings, not HTML)."""

    style: str  # "h2", "h3" or "strong": how headings are marked up
    about_heading: str
    about: str
    intro: str
    responsibilities_heading: str
    responsibilities: tuple[str, ...]
    requirements_heading: str
    requirements: tuple[str, ...]
    preferred_heading: str | None
    preferred: tuple[str, ...]
    benefits_heading: str
    benefits: tuple[str, ...]
    salary_line: str | None
    eeo: str


@dataclass(frozen=True)
class Posting:
    """One generated job posting and its truth.

    Truth fields:
    - `demand`: credential id -> "required" | "preferred" | "or_equivalent",
      for credentials asked for in requirements / nice-to-have lines;
    - `perks`: credential ids named only in the benefits section;
    - `degree`: minimum degree level asked for ("high_school", "associate",
      "bachelor", "master") or None, and `degree_or_equivalent`: whether
      equivalent experience is accepted instead;
    - `experience_months`: years of experience asked for, in months, or None.
    """

    source: str
    board: str
    posting_id: int | str
    n: int
    created_week: str
    created_at: dt.datetime  # aware, US Eastern
    lifetime: int  # weeks
    title: str
    family: str
    soc: str  # O*NET-SOC code of the title
    company: str
    company_url: str
    location: C.Location
    workplace: str  # "remote", "hybrid" or "on-site"
    employment_type: str  # schema.org enum: FULL_TIME, PART_TIME, CONTRACTOR, TEMPORARY, PER_DIEM
    salary: Salary | None
    sections: Sections
    demand: dict[str, str]
    perks: frozenset[str]
    degree: str | None
    degree_or_equivalent: bool
    experience_months: int | None
    internal_job_id: int | None = None
    # Per-posting rendering choices that must not change between weeks.
    render_seed: str = ""
    last_week: str = field(init=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "last_week", shift(self.created_week, self.lifetime - 1))

    def active_in(self, week: str) -> bool:
        return self.created_week <= week <= self.last_week

    @property
    def weeks_active(self) -> list[str]:
        return week_range(self.created_week, self.last_week)

    @functools.cached_property
    def description_html(self) -> str:
        """The full description as employers' pages and Greenhouse show it."""
        return render.description_html(self)

    @functools.cached_property
    def lines(self) -> tuple[str, ...]:
        """The posting's text as lines (title first): what a line-based extractor reads."""
        s = self.sections
        out = [self.title, s.about_heading, s.about, s.intro, s.responsibilities_heading, *s.responsibilities,
               s.requirements_heading, *s.requirements]
        if s.preferred_heading:
            out += [s.preferred_heading, *s.preferred]
        out += [s.benefits_heading, *s.benefits]
        if s.salary_line:
            out.append(s.salary_line)
        out.append(s.eeo)
        return tuple(out)

    @property
    def full_text(self) -> str:
        return "\n".join(self.lines)


# --------------------------------------------------------------------------- matching


class Matcher:
    """Finds registry credentials in text the way the pipeline's extractor does.

    Whole-word matching on normalised text (transforms.registry.normalise);
    an ambiguous alias counts only when one of its context words appears in
    `context` (the whole posting). With `strict=True` ambiguous aliases count
    regardless of context: used to vet text fragments, where any hit is a
    risk.
    """

    def __init__(self, registry: dict[str, Credential]):
        index: dict[str, dict[tuple[str, ...], dict[str, tuple[str, ...] | None]]] = {}
        for c in registry.values():
            ambiguous = {normalise(a): tuple(normalise(w).strip() for w in ws) for a, ws in c.context_any.items()}
            for s in c.surface_forms:
                pat = normalise(s)
                words = tuple(pat.split())
                ctx = ambiguous.get(pat)
                slot = index.setdefault(words[0], {}).setdefault(words, {})
                # A pattern that is unambiguous in any of its spellings stays unambiguous.
                if c.id not in slot or ctx is None:
                    slot[c.id] = ctx
        self._index = {k: [(w, cid, ctx) for w, d in v.items() for cid, ctx in d.items()] for k, v in index.items()}

    def find(self, text: str, context: str | None = None, strict: bool = False) -> set[str]:
        norm = normalise(text)
        return self._find(norm, normalise(context) if context is not None else norm, strict)

    def _find(self, norm: str, ctx_norm: str, strict: bool) -> set[str]:
        words = norm.split()
        found: set[str] = set()
        for i, w in enumerate(words):
            for pat, cid, ctx in self._index.get(w, ()):
                if tuple(words[i : i + len(pat)]) != pat:
                    continue
                if ctx is None or strict or any(f" {c} " in ctx_norm for c in ctx):
                    found.add(cid)
        return found

    def find_lines(self, lines: Iterable[str]) -> set[str]:
        """Credentials named in any line; context is all lines together."""
        lines = list(lines)
        ctx_norm = normalise("\n".join(lines))
        out: set[str] = set()
        for line in lines:
            out |= self._find(normalise(line), ctx_norm, False)
        return out


class Vocabulary:
    """The content pools vetted against one registry, plus credential surface forms."""

    def __init__(self, registry: dict[str, Credential]):
        self.registry = registry
        self.matcher = m = Matcher(registry)

        def clean(items: Iterable[str], **fmt: str) -> tuple[str, ...]:
            kept = tuple(s for s in items if not m.find(_fill(s, **fmt), strict=True))
            return kept

        self.titles: dict[str, tuple[tuple[C.Title, tuple[str, ...]], ...]] = {}
        for fam in C.FAMILIES:
            kept = []
            for t in C.TITLES[fam]:
                hits = m.find(t.text, strict=True)
                # A title that names a credential makes it demand of every posting
                # with that title, so it is only usable when that can be true.
                if hits & set(DEMAND_CURVES) or not all(self._has_forms(h) for h in hits):
                    continue
                kept.append((t, tuple(sorted(hits))))
            if not kept:
                raise ValueError(f"role family {fam!r} has no title free of planted credentials")
            self.titles[fam] = tuple(kept)
        self.intros = {f: clean(v) or ("You will join a friendly, growing team.",) for f, v in C.INTROS.items()}
        self.responsibilities = {f: clean(v) for f, v in C.RESPONSIBILITIES.items()}
        self.skills = {f: clean(v) for f, v in C.SKILLS.items()}
        self.nice = {f: clean(v) for f, v in C.NICE_SKILLS.items()}
        self.benefits = {True: clean(C.BENEFITS + C.BENEFITS_OFFICE), False: clean(C.BENEFITS + C.BENEFITS_FIELD)}
        self.degrees = {k: tuple(d for d in v if not d[3] or not m.find(d[3], strict=True)) for k, v in C.DEGREES.items()}
        self.experience_area = {f: a if not m.find(a, strict=True) else "" for f, a in C.EXPERIENCE_AREA.items()}
        self.headings = {k: clean(v, company="Company") for k, v in C.HEADINGS.items()}
        self.eeo = clean(C.EEO, company="Company") or ("We are an equal opportunity employer.",)
        self.salary_notes = clean(C.SALARY_NOTES)
        self.perk_one = clean(C.PERK_LINES_ONE)
        self.perk_two = clean(C.PERK_LINES_TWO)
        self.mention = {k: clean(v, state="Texas") for k, v in C.MENTION_LINES.items()}
        self.license_lines = clean(C.LICENSE_LINES, state="Texas")
        pooled = (*C.SITE_EMPLOYERS, *C.REMOTE_EMPLOYERS, *C.AGENCY_EMPLOYERS, *C.HN_EMPLOYERS)
        for e in (*C.BOARD_EMPLOYERS.values(), *pooled):
            for text in (e.name, *e.about):
                if m.find(text, strict=True):
                    raise ValueError(f"employer text {text!r} names a registry credential; reword it in snapshot/content.py")
        for text in (*C.USAJOBS_CONDITIONS, *(d for d, _ in C.AGENCY_DEPARTMENTS.values())):
            if m.find(text, strict=True):
                raise ValueError(f"USAJOBS text {text!r} names a registry credential; reword it in snapshot/content.py")

        self.forms: dict[str, tuple[tuple[str, float], ...]] = {}
        self.acronyms: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
        for c in registry.values():
            ambiguous = {normalise(a) for a in c.context_any}
            forms, acr = [], []
            for s in c.surface_forms:
                words = s.split()
                adjective = words[-1].lower() == "certified" or (words[0].lower() == "licensed" and len(words) == 2)
                if "nclex" in s.lower() or adjective:
                    continue  # exam names and adjectives read badly in "{form} required"
                if _STRENGTH_WORDS.search(s):
                    continue  # "CompTIA A Plus required" reads as "a plus" (preferred) to line rules
                if normalise(s) in ambiguous:
                    if c.id in HEALTHCARE_ACRONYM_IDS:
                        acr.append((s, tuple(normalise(w).strip() for w in c.context_any.get(s, ()))))
                    continue
                if m.find(s, strict=True) != {c.id}:
                    continue  # the form contains another credential's alias
                forms.append((s, 0.3 if s in c.exam_codes else 1.0))
            self.forms[c.id] = tuple(forms)
            self.acronyms[c.id] = tuple(acr)

    def _has_forms(self, cid: str) -> bool:
        """Whether `cid` has a surface form naming it alone (vetting titles runs before self.forms exists)."""
        c = self.registry[cid]
        ambiguous = {normalise(a) for a in c.context_any}
        return any(normalise(s) not in ambiguous and self.matcher.find(s, strict=True) == {cid}
                   for s in c.surface_forms)

    def mentionable(self, cid: str) -> bool:
        return cid in self.registry and bool(self.forms.get(cid))


# Words that line-based extractors read as a requirement strength
# (config/extraction.yml preferred / or-equivalent patterns); a surface form
# containing one would flip the strength of every line it appears in.
_STRENGTH_WORDS = re.compile(r"\ba plus\b|preferred|equivalent|bonus|ideally|desirable|in lieu", re.I)


def _fill(template: str, **fmt: str) -> str:
    """A template with its placeholders blanked (for vetting the fixed words)."""
    base = {"c": " ", "cert": " ", "perk": " ", "other": " ", "state": " ", "company": " "}
    base.update(fmt)
    return template.format(**base)


# --------------------------------------------------------------------------- snapshot


@dataclass
class _Draft:
    """A posting before planted demand, perks and text are settled."""

    source: str
    board: str
    b_idx: int
    n: int
    week: str
    employer: C.Employer
    family: str
    title: C.Title
    forced: tuple[str, ...]
    location: C.Location
    workplace: str
    employment_type: str
    lifetime: int
    created_at: dt.datetime
    base_pay: float | None  # annual, local currency, before premiums; None = no salary posted
    hourly: bool
    degree: tuple[str | None, bool, str]
    experience_years: int | None
    demand: dict[str, str]
    perks: list[str] = field(default_factory=list)


class Snapshot:
    """The generated job-posting web of one seed over a calendar of ISO weeks.

    Generated postings are cached per creation week; rendered responses are
    cached by the server. All methods are safe to call from several threads.
    """

    def __init__(self, seed: int = SEED, weeks: Iterable[str] | None = None,
                 registry: dict[str, Credential] | None = None, sources: dict | None = None):
        self.seed = seed
        self.weeks: tuple[str, ...] = tuple(weeks or CALENDAR)
        # Degree levels are not credentials a posting demands (transforms.registry).
        self.registry = registry if registry is not None else demand_credentials(load_registry())
        missing = [c for c in DEMAND_CURVES if c not in self.registry]
        if missing:
            raise ValueError(f"planted credentials {missing} are not in the registry; add them to config/credentials.yml")
        self.vocab = Vocabulary(self.registry)
        cfg = sources if sources is not None else load_config("sources")
        snap = {e["name"]: (e.get("snapshot") or {}) for e in cfg.get("sources", [])}
        self.boards: dict[str, tuple[str, ...]] = {}
        for source in JOB_SOURCES:
            key = BOARD_KEYS[source]
            if key is None:
                self.boards[source] = (SINGLE_ENDPOINT[source],) if source in snap else ()
            else:
                self.boards[source] = tuple(str(b) for b in snap.get(source, {}).get(key) or ())
        if not self.boards["schemaorg"]:
            self.boards["schemaorg"] = ("sitemap.xml",)
        self.first_creation_week = shift(self.weeks[0], -WARMUP_WEEKS)
        self._created: dict[str, list[Posting]] = {}
        self._active: dict[str, dict[tuple[str, str], list[Posting]]] = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ postings

    def new_per_week(self, source: str, board: str) -> int:
        """New postings per creation week on one board / site."""
        if source in NEW_PER_SOURCE:
            total, boards = NEW_PER_SOURCE[source], self.boards[source]
            k, i = len(boards), boards.index(board)
            return total // k + (1 if i < total % k else 0)
        return NEW_PER_BOARD[source]

    def postings_created(self, week: str) -> list[Posting]:
        """All postings (every source) first published in `week`; [] outside the snapshot."""
        if not (self.first_creation_week <= week <= self.weeks[-1]):
            return []
        with self._lock:
            if week not in self._created:
                self._created[week] = self._generate_week(week)
            return self._created[week]

    def active_postings(self, source: str, week: str, board: str | None = None) -> list[Posting]:
        """Postings served by `source` (optionally one board / site) in `week`, in a stable order."""
        with self._lock:
            if week not in self._active:
                groups: dict[tuple[str, str], list[Posting]] = {}
                for k in range(LOOKBACK_WEEKS - 1, -1, -1):
                    for p in self.postings_created(shift(week, -k)):
                        if p.active_in(week):
                            groups.setdefault((p.source, p.board), []).append(p)
                self._active[week] = groups
            groups = self._active[week]
        if board is not None:
            return list(groups.get((source, board), ()))
        return [p for b in self.boards.get(source, ()) for p in groups.get((source, b), ())]

    def all_postings(self) -> list[Posting]:
        """Every posting created from the warm-up weeks to the last calendar week."""
        return [p for w in week_range(self.first_creation_week, self.weeks[-1]) for p in self.postings_created(w)]

    def truth_demand(self, weeks: Iterable[str] | None = None) -> list[dict]:
        """The exact demand truth per week and credential.

        One row per week in `weeks` (default: the calendar) and per credential
        that is demand of any posting active somewhere in the calendar:
        active_postings (all job sources), mentioning_postings (any strength),
        demand_share = mentioning / active, and counts per strength.
        """
        weeks = list(weeks or self.weeks)
        universe: set[str] = set()
        for w in self.weeks:
            for src in JOB_SOURCES:
                for p in self.active_postings(src, w):
                    universe.update(p.demand)
        rows = []
        for w in weeks:
            active = [p for src in JOB_SOURCES for p in self.active_postings(src, w)]
            for cid in sorted(universe):
                strengths = [p.demand[cid] for p in active if cid in p.demand]
                rows.append({
                    "week": w,
                    "credential_id": cid,
                    "active_postings": len(active),
                    "mentioning_postings": len(strengths),
                    "demand_share": len(strengths) / len(active) if active else 0.0,
                    "required_postings": strengths.count("required"),
                    "preferred_postings": strengths.count("preferred"),
                    "or_equivalent_postings": strengths.count("or_equivalent"),
                })
        return rows

    def verify(self, postings: Iterable[Posting] | None = None) -> list[str]:
        """Postings whose text names credentials other than demand ∪ perks (should be none)."""
        problems = []
        for p in postings if postings is not None else self.all_postings():
            found = self.vocab.matcher.find_lines(p.lines)
            expected = set(p.demand) | set(p.perks)
            if found != expected:
                problems.append(f"{p.source}/{p.board}/{p.posting_id}: text names {sorted(found)}, truth {sorted(expected)}")
        return problems

    # ------------------------------------------------------------------ renderers

    def greenhouse_jobs(self, week: str, token: str, content: bool = False) -> tuple[int, str]:
        if token not in self.boards["greenhouse"]:
            return 404, render.GREENHOUSE_NOT_FOUND
        return 200, render.greenhouse_jobs(self.active_postings("greenhouse", week, token), content)

    def greenhouse_job(self, week: str, token: str, job_id: str, pay_transparency: bool = False) -> tuple[int, str]:
        if token in self.boards["greenhouse"]:
            for p in self.active_postings("greenhouse", week, token):
                if str(p.posting_id) == job_id:
                    return 200, render.greenhouse_job(p, pay_transparency)
            return 404, render.GREENHOUSE_JOB_NOT_FOUND
        return 404, render.GREENHOUSE_NOT_FOUND

    def lever_postings(self, week: str, site: str, skip: int | None = None, limit: int | None = None) -> tuple[int, str]:
        if site not in self.boards["lever"]:
            return 404, render.LEVER_NOT_FOUND
        return 200, render.lever_postings(self.active_postings("lever", week, site), skip, limit)

    def lever_posting(self, week: str, site: str, posting_id: str) -> tuple[int, str]:
        if site in self.boards["lever"]:
            for p in self.active_postings("lever", week, site):
                if p.posting_id == posting_id:
                    return 200, render.lever_posting(p)
        return 404, render.LEVER_NOT_FOUND

    def schemaorg_sitemap(self, week: str, name: str, page_base: str) -> tuple[int, str]:
        """The sitemap `name`; `page_base` is the URL that job page paths hang off."""
        if name not in self.boards["schemaorg"]:
            return 404, render.HTML_NOT_FOUND
        return 200, render.sitemap(self.active_postings("schemaorg", week, name), page_base, week)

    def schemaorg_page(self, week: str, page_id: str) -> tuple[int, str]:
        for p in self.active_postings("schemaorg", week):
            if p.posting_id == page_id:
                return 200, render.job_page(p)
        return 404, render.HTML_NOT_FOUND

    def mslearn_catalog(self, week: str, types: list[str] | None = None, locale: str = "en-us",
                        uids: list[str] | None = None) -> tuple[int, str]:
        return mslearn.catalog_response(week, self.weeks, types, locale, uids)

    def ashby_board(self, week: str, board: str, compensation: bool = False) -> tuple[int, str]:
        if board not in self.boards["ashby"]:
            return 404, render.ASHBY_NOT_FOUND
        return 200, render.ashby_board(self.active_postings("ashby", week, board), compensation)

    def smartrecruiters_postings(self, week: str, company: str, offset: int = 0, limit: int = 10) -> tuple[int, str]:
        if company not in self.boards["smartrecruiters"]:
            return 404, render.SMARTRECRUITERS_NOT_FOUND
        return 200, render.smartrecruiters_list(self.active_postings("smartrecruiters", week, company), offset, limit)

    def smartrecruiters_posting(self, week: str, company: str, posting_id: str) -> tuple[int, str]:
        if company in self.boards["smartrecruiters"]:
            for p in self.active_postings("smartrecruiters", week, company):
                if p.posting_id == posting_id:
                    return 200, render.smartrecruiters_detail(p)
        return 404, render.SMARTRECRUITERS_NOT_FOUND

    def remotive_jobs(self, week: str, category: str | None = None, company_name: str | None = None,
                      search: str | None = None, limit: int | None = None) -> tuple[int, str]:
        if not self.boards["remotive"]:
            return 404, render.REMOTIVE_NOT_FOUND
        return 200, render.remotive_jobs(self.active_postings("remotive", week), category, company_name, search, limit)

    def usajobs_search(self, week: str, page: int = 1, per_page: int = 250) -> tuple[int, str]:
        """A Search page over every active announcement (the snapshot ignores search filters)."""
        if not self.boards["usajobs"]:
            return 404, render.USAJOBS_NOT_FOUND
        return 200, render.usajobs_search(self.active_postings("usajobs", week), page, per_page)

    def hn_user(self, week: str, account: str) -> tuple[int, str]:
        if account != SINGLE_ENDPOINT["hackernews"] or not self.boards["hackernews"]:
            return 200, "null"  # Firebase answers `null` for what does not exist
        months, month = [], hn_month(self.first_creation_week)
        while month <= hn_month(week):
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return 200, render.hn_user(account, [hn_thread_id(m, k) for m in reversed(months)
                                             for k in reversed(range(len(HN_THREAD_KINDS)))])

    def hn_thread_postings(self, week: str, month: dt.date) -> list[Posting]:
        """The Hacker News postings in `month`'s thread as of `week` (newest first)."""
        posts = [p for w in hn_month_weeks(month, upto=week) for p in self.postings_created(w)
                 if p.source == "hackernews"]
        return sorted(posts, key=lambda p: (-p.created_at.timestamp(), p.posting_id))

    def hn_item(self, week: str, item_id: int) -> tuple[int, str]:
        """A thread or a comment as of `week`; `null` for ids that do not exist (yet)."""
        if not self.boards["hackernews"]:
            return 200, "null"
        thread = hn_thread_month(item_id)
        if thread is not None:
            month, kind = thread
            if not (hn_month(self.first_creation_week) <= month <= hn_month(week)):
                return 200, "null"
            kids = self.hn_thread_postings(week, month) if kind == 0 else []
            return 200, render.hn_thread(item_id, HN_THREAD_KINDS[kind], month, kids)
        ordinal, n = divmod(item_id - HN_COMMENT_ID_BASE, 100)
        if ordinal < 0:
            return 200, "null"
        created = shift(_WEEK_ZERO, ordinal)
        if created > week:
            return 200, "null"
        for p in self.postings_created(created):
            if p.source == "hackernews" and p.posting_id == item_id:
                return 200, render.hn_comment(p, hn_thread_id(hn_month(p.created_week), 0))
        return 200, "null"

    # ------------------------------------------------------------------ benchmark pages

    def bench_sitemap(self, n: int, page_base: str) -> tuple[int, str]:
        """A sitemap of `n` job pages `BENCH<i>` for crawl benchmarks (outside the planted truth)."""
        if not 0 < n <= BENCH_MAX_PAGES:
            return 404, render.HTML_NOT_FOUND
        day = parse_week(self.weeks[0]).isoformat()
        rows = "\n".join(f"<url><loc>{page_base}/jobs/BENCH{i}.html</loc><lastmod>{day}</lastmod></url>"
                         for i in range(n))
        return 200, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                     '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "\n</urlset>\n")

    def bench_page(self, week: str, i: int) -> tuple[int, str]:
        """Job page `BENCH<i>`: a schema.org posting generated on demand (same code path as
        the real ones, without planted demand), so a benchmark can ask for any number of them."""
        if not 0 <= i < BENCH_MAX_PAGES:
            return 404, render.HTML_NOT_FOUND
        return 200, render.job_page(self.bench_posting(self.weeks[0], i))

    def bench_posting(self, week: str, i: int) -> Posting:
        """Posting `BENCH<i>` of a week: written by the same code as the snapshot's
        postings, outside the planted truth (for crawl and throughput benchmarks)."""
        draft = self._draft("schemaorg", 0, "bench", week, i)
        return dataclasses.replace(self._finish(draft), posting_id=f"BENCH{i}")

    # ------------------------------------------------------------------ generation

    def _generate_week(self, week: str) -> list[Posting]:
        drafts = []
        for source in JOB_SOURCES:
            for b_idx, board in enumerate(self.boards[source]):
                for n in range(self.new_per_week(source, board)):
                    drafts.append(self._draft(source, b_idx, board, week, n))
        self._assign_planted(week, drafts)
        self._assign_perks(week, drafts)
        return [self._finish(d) for d in drafts]

    def _draft(self, source: str, b_idx: int, board: str, week: str, n: int) -> _Draft:
        r = _rng(self.seed, source, board, week, n)
        employer = r.choice(POOLED_EMPLOYERS[source]) if source in POOLED_EMPLOYERS else C.employer_for_board(board)
        fams = sorted(employer.family_weights)
        family = r.choices(fams, weights=[employer.family_weights[f] for f in fams])[0]
        title, forced = r.choice(self.vocab.titles[family])

        office = family in C.OFFICE_FAMILIES
        if office and r.random() < employer.abroad:
            location, workplace = r.choice(C.ABROAD), r.choice(("hybrid", "on-site"))
        else:
            location = C.US_CITIES[r.choice(employer.cities)]
            workplace = "on-site"
            if office:
                x = r.random()
                if x < 0.2:
                    location, workplace = C.REMOTE_US, "remote"
                elif x < 0.5:
                    workplace = "hybrid"
        if source == "remotive":  # a remote-only job board
            location, workplace = C.REMOTE_US, "remote"

        if family == "healthcare":
            etype = r.choices(("FULL_TIME", "PART_TIME", "PER_DIEM"), weights=(70, 15, 15))[0]
        elif family in ("software", "cloud_devops", "data", "security"):
            etype = r.choices(("FULL_TIME", "CONTRACTOR"), weights=(92, 8))[0]
        elif family == "trades_safety":
            etype = r.choices(("FULL_TIME", "TEMPORARY"), weights=(90, 10))[0]
        else:
            etype = r.choices(("FULL_TIME", "CONTRACTOR"), weights=(95, 5))[0]

        lifetime = r.randint(1, MAX_LIFETIME)
        monday = parse_week(week)
        day = monday + dt.timedelta(days=r.randint(0, 4))
        if source == "hackernews":
            # A comment in the month's thread: posted after the thread (the 1st of the
            # month of the week's Thursday) and up until that month's last week.
            month = hn_month(week)
            day = max(day, month)
            lifetime = len(hn_month_weeks(month, upto=None)) - hn_month_weeks(month, upto=None).index(week)
        created_at = dt.datetime(day.year, day.month, day.day, r.randint(8, 17), r.randint(0, 59),
                                 r.randint(0, 59), tzinfo=_eastern_offset(day))

        group = title.soc[:2]
        mult = title.pay_mult if group not in ("11", "13", "15") else 1.0
        pay = C.PAY_BY_GROUP[group] * mult * r.lognormvariate(0.0, C.PAY_SPREAD) * C.CURRENCY_FACTOR[location.currency]
        base_pay = pay if r.random() < 0.85 else None
        hourly = r.random() < title.hourly

        pool = self.vocab.degrees[C.degree_pool(family, title.text)]
        _, level, equiv, line = r.choices(pool, weights=[d[0] for d in pool])[0]
        experience = None
        if family != "healthcare" or "Nurse" in title.text:
            if r.random() < 0.85:
                experience = r.randint(5, 8) if title.senior else r.randint(1, 4)

        demand: dict[str, str] = {cid: "required" for cid in forced}
        for cid, prob in title.creds:
            if r.random() < prob and self.vocab.mentionable(cid):
                demand[cid] = "required"
        background = [cid for cid, prob in C.BACKGROUND[family] if r.random() < prob]
        r.shuffle(background)
        kept = 0
        for cid in background:
            if kept == 3 or cid in demand or cid in DEMAND_CURVES or not self.vocab.mentionable(cid):
                continue
            demand[cid] = r.choices(STRENGTHS, weights=(50, 30, 20))[0]
            kept += 1
        return _Draft(source, board, b_idx, n, week, employer, family, title, forced, location, workplace, etype,
                      lifetime, created_at, base_pay, hourly, (level, equiv, line), experience, demand)

    def _assign_planted(self, week: str, drafts: list[_Draft]) -> None:
        """Give exactly round(p × N_new) of the week's new postings each planted credential.

        Picks cycle through lifetimes 1..4 so the planted postings age like
        all others and the active-week share tracks the planted curve.
        """
        total = len(drafts)
        for cid in DEMAND_CURVES:
            quota = round(demand_probability(cid, week) * total)
            r = _rng(self.seed, "planted", cid, week)
            pool = [d for d in drafts if d.family in PLANTED_FAMILIES[cid] and cid not in d.demand]
            if len(pool) < quota:
                raise ValueError(f"week {week}: only {len(pool)} postings can carry {cid}, quota is {quota}")
            r.shuffle(pool)
            cycle = list(range(1, MAX_LIFETIME + 1))
            r.shuffle(cycle)
            for i in range(quota):
                want = cycle[i % len(cycle)]
                pick = next((d for d in pool if d.lifetime == want), pool[0])
                pool.remove(pick)
                pick.demand[cid] = "required"

    def _assign_perks(self, week: str, drafts: list[_Draft]) -> None:
        """Benefits lines naming PERK_CREDENTIAL on ~PERK_RATE of ALL postings (never where it is demand)."""
        eligible = [d for d in drafts if PERK_CREDENTIAL not in d.demand]
        rate = min(1.0, PERK_RATE * len(drafts) / max(1, len(eligible)))
        others = [c for c in C.PERK_OTHERS if self.vocab.mentionable(c) and c not in DEMAND_CURVES]
        for d in eligible:
            r = _rng(self.seed, "perk", d.source, d.board, week, d.n)
            if r.random() >= rate or not self.vocab.perk_one:
                continue
            d.perks = [PERK_CREDENTIAL]
            if r.random() < 0.35 and self.vocab.perk_two:
                choices = [c for c in others if c not in d.demand]
                if choices:
                    d.perks.append(r.choice(choices))

    def _finish(self, d: _Draft) -> Posting:
        """Write the posting's text from its settled truth."""
        r = _rng(self.seed, "text", d.source, d.board, d.week, d.n)
        v = self.vocab
        company = d.employer.name
        style = r.choice(("h2", "h3", "strong"))
        about = r.choice(d.employer.about)
        intro = r.choice(v.intros[d.family])
        resp = r.sample(v.responsibilities[d.family], k=min(len(v.responsibilities[d.family]), r.randint(4, 6)))
        skills = r.sample(v.skills[d.family], k=min(len(v.skills[d.family]), r.randint(2, 4)))
        context = " ".join((d.title.text, about, intro, *resp, *skills))

        requirements: list[str] = []
        if d.experience_years is not None and v.experience_area[d.family]:
            requirements.append(f"{d.experience_years}+ years of experience {v.experience_area[d.family]}")
        requirements += skills
        level, equiv, degree_line = d.degree
        if degree_line:
            requirements.append(degree_line)
        preferred: list[str] = []
        for cid in sorted(d.demand):
            strength = d.demand[cid]
            line = self._mention_line(cid, strength, r, context, d)
            if strength == "preferred":
                preferred.insert(r.randint(0, len(preferred)), line)
            else:
                # never above the experience line, so the section still opens with it
                requirements.insert(r.randint(1 if requirements else 0, len(requirements)), line)
        if v.nice[d.family] and (preferred or r.random() < 0.4):
            preferred.append(r.choice(v.nice[d.family]))

        pool = v.benefits[d.family in C.OFFICE_FAMILIES]
        benefits = r.sample(pool, k=min(len(pool), r.randint(3, 5)))
        if d.perks:
            benefits.insert(r.randint(0, len(benefits)), self._perk_line(d.perks, r))

        salary = None
        if d.base_pay is not None:
            pay = d.base_pay
            for cid, strength in d.demand.items():
                if strength == "required":
                    pay *= 1.0 + premium(cid, d.week)
            salary = _salary(r, pay, d.location.currency, d.hourly)

        sections = Sections(
            style=style,
            about_heading=r.choice(v.headings["about"]).format(company=company),
            about=about,
            intro=intro,
            responsibilities_heading=r.choice(v.headings["responsibilities"]),
            responsibilities=tuple(resp),
            requirements_heading=r.choice(v.headings["requirements"]),
            requirements=tuple(requirements),
            preferred_heading=r.choice(v.headings["preferred"]) if preferred else None,
            preferred=tuple(preferred),
            benefits_heading=r.choice(v.headings["benefits"]),
            benefits=tuple(benefits),
            salary_line=salary.text if salary else None,
            eeo=r.choice(v.eeo).format(company=company),
        )
        ordinal = index_between(_WEEK_ZERO, d.week)
        internal = None
        if d.source == "greenhouse":
            pid: int | str = 4_000_000_000 + ordinal * 10_000 + d.b_idx * 1_000 + d.n
            internal = 2_000_000_000 + ordinal * 10_000 + d.b_idx * 1_000 + d.n
        elif d.source in ("lever", "ashby"):
            digest = hashlib.sha256(f"{self.seed}|{d.source}|{d.board}|{d.week}|{d.n}".encode()).digest()
            pid = str(uuid.UUID(bytes=digest[:16], version=4))
        elif d.source == "smartrecruiters":
            pid = str(744_000_000_000 + ordinal * 10_000 + d.b_idx * 1_000 + d.n)
        elif d.source == "remotive":
            pid = REMOTIVE_ID_BASE + ordinal * 100 + d.n
        elif d.source == "usajobs":
            pid = str(800_000_000 + ordinal * 1_000 + d.n)
        elif d.source == "hackernews":
            pid = HN_COMMENT_ID_BASE + ordinal * 100 + d.n
        else:
            pid = f"JR{ordinal:04d}{d.b_idx}{d.n:02d}"
        return Posting(
            source=d.source, board=d.board, posting_id=pid, n=d.n, created_week=d.week, created_at=d.created_at,
            lifetime=d.lifetime, title=d.title.text, family=d.family, soc=d.title.soc, company=company,
            company_url=d.employer.website, location=d.location, workplace=d.workplace,
            employment_type=d.employment_type, salary=salary, sections=sections, demand=dict(d.demand),
            perks=frozenset(d.perks), degree=level, degree_or_equivalent=equiv,
            experience_months=d.experience_years * 12 if d.experience_years is not None and v.experience_area[d.family] else None,
            internal_job_id=internal, render_seed=f"{self.seed}|render|{d.source}|{d.board}|{d.week}|{d.n}",
        )

    def _forms_for(self, cid: str, context: str, family: str) -> list[tuple[str, float]]:
        forms = list(self.vocab.forms[cid])
        if family == "healthcare":
            norm = normalise(context)
            for s, words in self.vocab.acronyms.get(cid, ()):
                if any(f" {w} " in norm for w in words):
                    forms.append((s, 2.0))
        return forms

    def _mention_line(self, cid: str, strength: str, r: random.Random, context: str, d: _Draft) -> str:
        """One requirements / nice-to-have line naming `cid` and no other credential."""
        cred = self.registry[cid]
        forms = self._forms_for(cid, context, d.family)
        templates = list(self.vocab.mention[strength])
        if strength == "required" and cred.type == "license":
            templates += self.vocab.license_lines
        state = d.location.region if d.location.country == "US" and d.location.city else "Texas"
        state = _STATE_NAMES.get(state, state)
        for _ in range(16):
            form = r.choices([f for f, _ in forms], weights=[w for _, w in forms])[0]
            line = r.choice(templates).format(c=form, cert=_suffix(cred, form), state=state)
            if self.vocab.matcher.find(line, strict=True) == {cid}:
                return line
        return f"{forms[0][0]} ({'required' if strength == 'required' else strength.replace('_', ' ')})"

    def _perk_line(self, perks: list[str], r: random.Random) -> str:
        """A benefits line naming exactly the posting's perk credentials."""
        two = len(perks) > 1
        for _ in range(16):
            f1 = r.choices(*zip(*self.vocab.forms[perks[0]]))[0]
            cred = self.registry[perks[0]]
            if two:
                f2 = r.choices(*zip(*self.vocab.forms[perks[1]]))[0]
                line = r.choice(self.vocab.perk_two).format(perk=f1, other=f2, cert=_suffix(cred, f1))
            else:
                line = r.choice(self.vocab.perk_one).format(perk=f1, cert=_suffix(cred, f1))
            if self.vocab.matcher.find(line, strict=True) == set(perks):
                return line
        raise ValueError(f"could not write a benefits line naming only {perks}; check PERK_LINES in snapshot/content.py")


_STATE_NAMES = {"WA": "Washington", "TX": "Texas", "NY": "New York", "IL": "Illinois", "CO": "Colorado",
                "GA": "Georgia", "MA": "Massachusetts", "AZ": "Arizona", "OH": "Ohio", "NC": "North Carolina"}


def _suffix(cred: Credential, form: str) -> str:
    """The word that follows a form ("CISSP" -> " certification") unless the form already says it."""
    low = form.lower()
    if any(w in low for w in ("certif", "licen", "charter", "card", "training", "level ")):
        return ""
    if cred.type == "license":
        return " license"
    if cred.type == "certificate":
        return " certificate"
    return " certification"


def _round_to(x: float, step: float) -> float:
    return round(x / step) * step


def _salary(r: random.Random, annual: float, currency: str, hourly: bool) -> Salary:
    """A salary line in one of the formats real postings use, with the numbers it states."""
    if hourly:
        v = annual / C.HOURS_PER_YEAR
        lo, hi = max(1, round(v * 0.92)), round(v * 1.08)
        hi = max(hi, lo + 1)
        lo2, hi2 = _round_to(v * 0.92, 0.5), _round_to(v * 1.08, 0.5)
        hi2 = max(hi2, lo2 + 0.5)
        single = round(v)
        options = {
            "USD": [(f"USD {lo}–{hi}/hour", lo, hi), (f"${lo2:.2f} - ${hi2:.2f} per hour", lo2, hi2),
                    (f"Pay rate: ${single}/hr", single, single), (f"Hourly rate: ${lo} – ${hi}", lo, hi)],
            "GBP": [(f"£{lo2:.2f} - £{hi2:.2f} per hour", lo2, hi2)],
            "EUR": [(f"€{lo2:.2f}–€{hi2:.2f} per hour", lo2, hi2)],
            "CAD": [(f"CA${lo2:.2f}–CA${hi2:.2f} per hour", lo2, hi2)],
        }[currency]
        text, mn, mx = r.choice(options)
        return Salary(float(mn), float(mx), currency, "HOUR", text)
    lo, hi = int(_round_to(annual * 0.9, 1000)), int(_round_to(annual * 1.1, 1000))
    hi = max(hi, lo + 1000)
    single = int(_round_to(annual, 500))
    k = lambda x: f"{x // 1000}k"  # noqa: E731
    options = {
        "USD": [(f"${lo:,} - ${hi:,} per year", lo, hi),
                (f"The base salary range for this role is ${lo:,}–${hi:,} annually.", lo, hi),
                (f"Compensation: {k(lo)}-{k(hi)} USD", lo, hi),
                (f"Salary range: ${lo // 1000}K – ${hi // 1000}K", lo, hi),
                (f"Pay: ${single:,} a year", single, single)],
        "GBP": [(f"£{single:,} a year", single, single), (f"£{lo:,} - £{hi:,} per annum", lo, hi),
                (f"Salary: £{k(lo)}–£{k(hi)}", lo, hi)],
        "EUR": [(f"€{k(lo)}–{k(hi)}", lo, hi), (f"EUR {lo:,} - {hi:,} per year", lo, hi)],
        "CAD": [(f"CA${lo:,} - CA${hi:,} per year", lo, hi), (f"${lo:,} - ${hi:,} CAD annually", lo, hi)],
    }[currency]
    text, mn, mx = r.choice(options)
    return Salary(float(mn), float(mx), currency, "YEAR", text)

