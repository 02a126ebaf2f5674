"""Training-provider catalogs of the offline snapshot web, week by week:
Coursera's catalog API, Credly badge-template listings and schema.org
`Course` / `EducationalOccupationalCredential` pages behind sitemaps.

Formats (../shared/formats/): coursera.md (courses.v1 and
onDemandSpecializations.v1, `start`/`limit` paging, `paging.next` a string
offset, `linked` partners), credly.md (`{data: [...], metadata: {...}}` pages
of an organisation's badge templates, `?page=N`), courses-schemaorg.md
(JSON-LD in `<head>`, sometimes in `@graph`, prices as numbers or strings,
workloads as ISO 8601 durations or free text).

Every offering is one `Offering` row in OFFERINGS: which source serves it,
from which calendar index it appears, when it is retired, when its price
changes, and the registry credential it really leads to (`leads_to`, None
for courses that lead to no credential: hard negatives for the linker).
Weekly changes follow the calendar index (weeks before the calendar look
like index 0, weeks after like the last):

- planted supply: offerings leading to the inflating credential
  (snapshot.planted PLANTED["inflating"], google-data-analytics) are added
  almost every week, 3 at index 0 → 18 at index 15, while aws-saa keeps 5
  active offerings (one retired and one new at index 8, a price change at 5);
- background: new offerings at indices 3, 6, 9, 12, retirements at 7 and 11,
  price changes at 4 and 10.

`truth(week)` lists the active offerings with what they lead to, so tests can
assert the supply marts exactly.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from urllib.parse import quote

from credwatch.weeks import index_between
from snapshot.planted import CALENDAR, PLANTED

INFLATING = PLANTED["inflating"]  # google-data-analytics: its supply rises
FLAT_SUPPLY = "aws-saa"


@dataclass(frozen=True)
class Offering:
    key: str                 # stable id within its source (Coursera id, Credly uuid, page slug)
    source: str              # coursera | credly | courses
    where: str               # coursera: courses | specializations; credly: org vanity; courses: site
    title: str
    leads_to: str | None     # registry credential id (truth), None = no credential
    provider: str
    hours: float | None = None
    price: float | None = None
    currency: str | None = "USD"
    level: str | None = None
    language: str = "en"
    appears: int = 0         # calendar index from which it is served
    retires: int | None = None  # calendar index from which it is gone
    new_price: tuple[int, float] | None = None  # (calendar index, price from then on)
    code: str | None = None  # exam / course code shown by the source
    credential: str | None = None  # credential name the page says it awards
    description: str = ""
    kind: str = "course"     # course | professional_certificate | badge | credential

    def active(self, i: int) -> bool:
        return self.appears <= i and (self.retires is None or i < self.retires)

    def price_at(self, i: int) -> float | None:
        if self.new_price and i >= self.new_price[0]:
            return self.new_price[1]
        return self.price


def _o(*args, **kw) -> Offering:
    return Offering(*args, **kw)


# ------------------------------------------------------------------------ the offerings
_GDA = INFLATING
_GDA_NEW = [  # (index, source, where, title, provider, hours, price, credential named on the page)
    (1, "courses", "skillforge", "Google Data Analytics Certificate Prep: SQL and Spreadsheets", "SkillForge Academy", 20, 149.0),
    (2, "coursera", "courses", "Foundations: Data, Data, Everywhere (Google Data Analytics Certificate)", "Google", 18, None),
    (3, "courses", "learnpoint", "Google Data Analytics Professional Certificate Bootcamp", "LearnPoint", 60, 799.0),
    (4, "credly", "google", "Google Data Analytics Certificate - Capstone Badge", "Google", None, None),
    (5, "courses", "skillforge", "Fast Track to the Google Data Analytics Certificate", "SkillForge Academy", 30, 249.0),
    (6, "coursera", "courses", "Ask Questions to Make Data-Driven Decisions (Google Data Analytics Certificate)", "Google", 21, None),
    (7, "courses", "learnpoint", "Google Data Analytics Certification Exam Prep Weekend", "LearnPoint", 16, 199.0),
    (8, "courses", "skillforge", "Tableau and R for the Google Data Analytics Certificate", "SkillForge Academy", 24, 179.0),
    (9, "coursera", "courses", "Process Data from Dirty to Clean (Google Data Analytics Certificate)", "Google", 23, None),
    (10, "courses", "learnpoint", "Career Switch: Google Data Analytics Professional Certificate with Mentoring", "LearnPoint", 80, 1199.0),
    (11, "courses", "skillforge", "Google Data Analytics Certificate Capstone Coaching", "SkillForge Academy", 12, 129.0),
    (12, "coursera", "courses", "Analyze Data to Answer Questions (Google Data Analytics Certificate)", "Google", 24, None),
    (13, "courses", "learnpoint", "Google Data Analytics Certificate: Portfolio Project Lab", "LearnPoint", 20, 299.0),
    (14, "courses", "skillforge", "Google Data Analytics Certificate Prep (Evening Cohort)", "SkillForge Academy", 40, 349.0),
    (15, "credly", "google", "Google Data Analytics Certificate - Advanced SQL Badge", "Google", None, None),
]

OFFERINGS: tuple[Offering, ...] = (
    # --- planted inflating credential: 3 at index 0, one more almost every week
    _o("gda-pc", "coursera", "specializations", "Google Data Analytics Professional Certificate", _GDA, "Google", 180, None,
       level="beginner", kind="professional_certificate",
       description="Get on the fast track to a career in data analytics. Earn the Google Data Analytics Professional Certificate."),
    _o("0b6f2a3c-1d4e-4a51-9a1b-5f7e2c3d4a01", "credly", "google", "Google Data Analytics Certificate", _GDA, "Google",
       level="Foundational", kind="badge", description="Earners of the Google Data Analytics Certificate completed eight courses."),
    _o("google-data-analytics-prep", "courses", "skillforge", "Google Data Analytics Certificate Prep Course", _GDA, "SkillForge Academy",
       32, 299.0, level="Beginner", new_price=(9, 249.0), credential="Google Data Analytics Professional Certificate"),
    *(_o(f"gda-new-{i:02d}" if src != "credly" else f"0b6f2a3c-1d4e-4a51-9a1b-5f7e2c3d4a{i:02d}", src, where, title, _GDA, prov,
         hours, price, appears=i, level="Beginner",
         kind="badge" if src == "credly" else "course",
         credential="Google Data Analytics Professional Certificate" if src == "courses" else None)
      for i, src, where, title, prov, hours, price in _GDA_NEW),
    # --- flat supply: six aws-saa offerings all calendar long (one swapped at index 8)
    _o("aws-saa-prep", "coursera", "courses", "Exam Prep: AWS Certified Solutions Architect - Associate (SAA-C03)", "aws-saa",
       "Amazon Web Services", 14, level="intermediate", code="SAA-C03"),
    _o("5d9e1c2b-7a3f-4e8d-b1c6-2f4a9e7d3b10", "credly", "amazon-web-services", "AWS Certified Solutions Architect – Associate", "aws-saa",
       "Amazon Web Services", level="Intermediate", kind="badge"),
    _o("aws-saa-bootcamp", "courses", "skillforge", "AWS Solutions Architect Associate Bootcamp (SAA-C03)", "aws-saa", "SkillForge Academy",
       40, 1495.0, level="Intermediate", new_price=(5, 1295.0), code="SAA-C03",
       credential="AWS Certified Solutions Architect - Associate"),
    _o("aws-saa-weekend", "courses", "skillforge", "Architecting on AWS: Solutions Architect Associate Weekend", "aws-saa",
       "SkillForge Academy", 16, 695.0, retires=8, credential="AWS Certified Solutions Architect - Associate"),
    _o("aws-saa-live", "courses", "skillforge", "Live Online: AWS Certified Solutions Architect Associate Exam Cram", "aws-saa",
       "SkillForge Academy", 16, 745.0, appears=8, code="SAA-C03"),
    _o("aws-saa-uk", "courses", "learnpoint", "AWS Solutions Architect – Associate Certification Training", "aws-saa", "LearnPoint",
       24, 1150.0, currency="GBP"),
    # --- background: Coursera courses and professional certificates
    _o("ibm-ds-pc", "coursera", "specializations", "IBM Data Science Professional Certificate", "ibm-data-science", "IBM", 120,
       kind="professional_certificate", level="beginner"),
    _o("google-pm-pc", "coursera", "specializations", "Google Project Management: Professional Certificate", "google-project-management",
       "Google", 140, kind="professional_certificate", level="beginner"),
    _o("google-ada-pc", "coursera", "specializations", "Google Advanced Data Analytics Professional Certificate", "google-advanced-data-analytics",
       "Google", 150, kind="professional_certificate", level="advanced", appears=6),
    _o("google-itsupport-pc", "coursera", "specializations", "Google IT Support Professional Certificate", None, "Google", 120,
       kind="professional_certificate", level="beginner"),
    _o("google-cyber-pc", "coursera", "specializations", "Google Cybersecurity Professional Certificate", None, "Google", 130,
       kind="professional_certificate", level="beginner", appears=3),
    _o("meta-fe-pc", "coursera", "specializations", "Meta Front-End Developer Professional Certificate", None, "Meta", 170,
       kind="professional_certificate", level="beginner"),
    _o("comptia-secplus-prep", "coursera", "courses", "CompTIA Security+ (SY0-701) Exam Prep", "comptia-security-plus", "CompTIA", 30,
       code="SY0-701", level="intermediate"),
    _o("cissp-domain1", "coursera", "courses", "(ISC)² CISSP: Security and Risk Management", "cissp", "ISC2", 12, level="advanced"),
    _o("pmp-prep", "coursera", "courses", "PMP Certification Exam Prep (35 Contact Hours)", "pmp", "Coursera Instructor Network", 35,
       level="intermediate", retires=11),
    _o("aws-cloud-essentials", "coursera", "courses", "AWS Cloud Technical Essentials", None, "Amazon Web Services", 15, level="beginner"),
    _o("aws-ccp-prep", "coursera", "courses", "AWS Cloud Practitioner Essentials", "aws-ccp", "Amazon Web Services", 6, level="beginner",
       description="Prepare for the AWS Certified Cloud Practitioner exam (CLF-C02)."),
    _o("python-everybody", "coursera", "courses", "Programming for Everybody (Getting Started with Python)", None, "University of Michigan", 19),
    _o("ml-spec", "coursera", "specializations", "Machine Learning Specialization", None, "DeepLearning.AI", 90, kind="specialization"),
    _o("excel-skills", "coursera", "courses", "Excel Skills for Business: Essentials", None, "Macquarie University", 26),
    _o("azure-admin-prep", "coursera", "courses", "Prepare for AZ-104: Microsoft Azure Administrator", "ms-az-104", "Microsoft", 20, code="AZ-104",
       appears=3),
    _o("k8s-cka", "coursera", "courses", "Kubernetes Administrator (CKA) Exam Preparation", "cka", "The Linux Foundation", 25, appears=9),
    _o("sql-ds", "coursera", "courses", "Databases and SQL for Data Science with Python", None, "IBM", 20, appears=12),
    # --- Credly badge templates of issuing organisations
    _o("3a1f5c2e-0b7d-4c9a-8e61-1d2f3a4b5c01", "credly", "comptia", "CompTIA Security+ ce Certification", "comptia-security-plus", "CompTIA",
       level="Intermediate", kind="badge"),
    _o("3a1f5c2e-0b7d-4c9a-8e61-1d2f3a4b5c02", "credly", "comptia", "CompTIA A+ ce Certification", "comptia-a-plus", "CompTIA",
       level="Foundational", kind="badge"),
    _o("3a1f5c2e-0b7d-4c9a-8e61-1d2f3a4b5c03", "credly", "comptia", "CompTIA Network+ ce Certification", "comptia-network-plus", "CompTIA",
       level="Foundational", kind="badge"),
    _o("3a1f5c2e-0b7d-4c9a-8e61-1d2f3a4b5c04", "credly", "comptia", "CompTIA CySA+ ce Certification", "comptia-cysa-plus", "CompTIA",
       level="Intermediate", kind="badge"),
    _o("3a1f5c2e-0b7d-4c9a-8e61-1d2f3a4b5c05", "credly", "comptia", "CompTIA Data+ ce Certification", None, "CompTIA",
       level="Intermediate", kind="badge", appears=6),
    _o("3a1f5c2e-0b7d-4c9a-8e61-1d2f3a4b5c06", "credly", "comptia", "CompTIA Linux+ ce Certification", "comptia-linux-plus", "CompTIA",
       level="Intermediate", kind="badge", retires=7),
    _o("5d9e1c2b-7a3f-4e8d-b1c6-2f4a9e7d3b11", "credly", "amazon-web-services", "AWS Certified Cloud Practitioner", "aws-ccp",
       "Amazon Web Services", level="Foundational", kind="badge"),
    _o("5d9e1c2b-7a3f-4e8d-b1c6-2f4a9e7d3b12", "credly", "amazon-web-services", "AWS Certified Developer – Associate", "aws-developer-associate",
       "Amazon Web Services", level="Intermediate", kind="badge"),
    _o("5d9e1c2b-7a3f-4e8d-b1c6-2f4a9e7d3b13", "credly", "amazon-web-services", "AWS Certified AI Practitioner", "aws-ai-practitioner",
       "Amazon Web Services", level="Foundational", kind="badge", appears=6),
    _o("5d9e1c2b-7a3f-4e8d-b1c6-2f4a9e7d3b14", "credly", "amazon-web-services", "AWS Knowledge: Cloud Essentials", None,
       "Amazon Web Services", level="Foundational", kind="badge"),
    _o("5d9e1c2b-7a3f-4e8d-b1c6-2f4a9e7d3b15", "credly", "amazon-web-services", "AWS Certified Security – Specialty", "aws-security-specialty",
       "Amazon Web Services", level="Advanced", kind="badge"),
    _o("0b6f2a3c-1d4e-4a51-9a1b-5f7e2c3d4b01", "credly", "google", "Google Project Management Certificate", "google-project-management",
       "Google", level="Foundational", kind="badge"),
    _o("0b6f2a3c-1d4e-4a51-9a1b-5f7e2c3d4b02", "credly", "google", "Google Cloud Digital Leader Certification", "gcp-cdl", "Google",
       level="Foundational", kind="badge"),
    _o("0b6f2a3c-1d4e-4a51-9a1b-5f7e2c3d4b03", "credly", "google", "Google IT Support Certificate", None, "Google",
       level="Foundational", kind="badge"),
    _o("7c2e9f41-3b5a-4d6c-8e7f-9a0b1c2d3e01", "credly", "isc2", "CISSP: Certified Information Systems Security Professional", "cissp", "ISC2",
       level="Advanced", kind="badge"),
    _o("7c2e9f41-3b5a-4d6c-8e7f-9a0b1c2d3e02", "credly", "isc2", "CC: Certified in Cybersecurity", "isc2-cc", "ISC2",
       level="Foundational", kind="badge"),
    _o("7c2e9f41-3b5a-4d6c-8e7f-9a0b1c2d3e03", "credly", "isc2", "CCSP: Certified Cloud Security Professional", "ccsp", "ISC2",
       level="Advanced", kind="badge", appears=9),
    _o("9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c01", "credly", "pmi", "Project Management Professional (PMP)®", "pmp", "Project Management Institute",
       level="Advanced", kind="badge"),
    _o("9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c02", "credly", "pmi", "Certified Associate in Project Management (CAPM)®", "capm",
       "Project Management Institute", level="Foundational", kind="badge"),
    _o("9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c03", "credly", "pmi", "PMI Agile Certified Practitioner (PMI-ACP)®", "pmi-acp",
       "Project Management Institute", level="Intermediate", kind="badge"),
    _o("9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c04", "credly", "pmi", "PMI Kickoff", None, "Project Management Institute",
       level="Foundational", kind="badge"),
    # --- schema.org Course pages of training providers
    _o("comptia-security-plus-bootcamp", "courses", "skillforge", "CompTIA Security+ Certification Bootcamp", "comptia-security-plus",
       "SkillForge Academy", 40, 2195.0, code="SY0-701", credential="CompTIA Security+", new_price=(4, 1995.0)),
    _o("ccna-bootcamp", "courses", "skillforge", "CCNA 200-301 Boot Camp", "ccna", "SkillForge Academy", 40, 2495.0,
       credential="Cisco Certified Network Associate"),
    _o("az-104-course", "courses", "skillforge", "Microsoft Azure Administrator (AZ-104T00)", "ms-az-104", "SkillForge Academy", 32, 1795.0,
       code="AZ-104T00", credential="Microsoft Certified: Azure Administrator Associate"),
    _o("cissp-bootcamp", "courses", "skillforge", "CISSP Exam Boot Camp", "cissp", "SkillForge Academy", 40, 3495.0, appears=3),
    _o("terraform-associate", "courses", "skillforge", "HashiCorp Terraform Associate Prep", "terraform-associate", "SkillForge Academy",
       12, 495.0, appears=12),
    _o("linux-essentials", "courses", "skillforge", "Linux Command Line Essentials", None, "SkillForge Academy", 16, 395.0),
    _o("cloud-architecture-design", "courses", "skillforge", "Cloud Architecture Design Patterns", None, "SkillForge Academy", 24, 895.0,
       description="Design resilient systems on AWS, Azure and Google Cloud. No certification exam."),
    _o("skillforge-credential", "courses", "skillforge", "SkillForge Certified Cloud Practitioner", None, "SkillForge Academy",
       kind="credential", credential="SkillForge Certified Cloud Practitioner"),
    _o("pmp-bootcamp", "courses", "learnpoint", "PMP Exam Prep Boot Camp – 35 PDUs", "pmp", "LearnPoint", 35, 1495.0,
       credential="Project Management Professional (PMP)"),
    _o("capm-course", "courses", "learnpoint", "CAPM Certification Training", "capm", "LearnPoint", 23, 595.0, retires=11),
    _o("csm-course", "courses", "learnpoint", "Certified ScrumMaster (CSM) Two-Day Course", "csm", "LearnPoint", 16, 995.0,
       new_price=(10, 895.0)),
    _o("tableau-prep", "courses", "learnpoint", "Tableau Desktop Specialist Certification Prep", "tableau-desktop-specialist", "LearnPoint",
       12, 349.0),
    _o("pl-300-course", "courses", "learnpoint", "Power BI Data Analyst (PL-300) Course", "ms-pl-300", "LearnPoint", 24, 1095.0,
       code="PL-300"),
    _o("excel-course", "courses", "learnpoint", "Advanced Excel for Analysts", None, "LearnPoint", 12, 199.0),
    _o("lean-six-sigma-gb", "courses", "learnpoint", "Lean Six Sigma Green Belt Certification Course", "lean-six-sigma-green-belt",
       "LearnPoint", 40, 1295.0, appears=6),
    _o("bls-provider", "courses", "medtrain", "BLS Provider Course (American Heart Association)", "bls", "MedTrain Institute", 4, 85.0,
       credential="Basic Life Support (BLS)"),
    _o("acls-provider", "courses", "medtrain", "ACLS Certification Course", "acls", "MedTrain Institute", 12, 225.0),
    _o("cna-program", "courses", "medtrain", "Certified Nursing Assistant Training Program", "cna", "MedTrain Institute", 120, 1450.0,
       credential="Certified Nursing Assistant (CNA)"),
    _o("osha-10-construction", "courses", "medtrain", "OSHA 10-Hour Construction Outreach Training", "osha-10", "MedTrain Institute", 10, 89.0),
    _o("osha-30-construction", "courses", "medtrain", "OSHA 30-Hour Construction Outreach Training", "osha-30", "MedTrain Institute", 30, 189.0,
       new_price=(4, 169.0)),
    _o("phlebotomy-tech", "courses", "medtrain", "Phlebotomy Technician Program", "nha-cpt", "MedTrain Institute", 80, 1200.0,
       credential="Certified Phlebotomy Technician (CPT)", appears=9),
    _o("medical-terminology", "courses", "medtrain", "Medical Terminology for Healthcare Workers", None, "MedTrain Institute", 20, 150.0),
    _o("cpa-review-far", "courses", "ledgerprep", "CPA Exam Review: Financial Accounting and Reporting (FAR)", "cpa", "LedgerPrep", 80, 899.0,
       credential="Certified Public Accountant (CPA)"),
    _o("cfa-level-1", "courses", "ledgerprep", "CFA Level I Exam Prep Package", "cfa", "LedgerPrep", 300, 1195.0),
    _o("cma-review", "courses", "ledgerprep", "CMA Exam Review Course (Parts 1 and 2)", "cma", "LedgerPrep", 150, 1499.0, appears=3,
       credential="Certified Management Accountant (CMA)"),
    _o("gaap-update", "courses", "ledgerprep", "Annual GAAP Update for Accountants", None, "LedgerPrep", 8, 129.0, retires=7),
)

COURSERA_PARTNERS = {"Google": "368", "IBM": "160", "Meta": "1167", "Amazon Web Services": "2033", "CompTIA": "1313",
                     "ISC2": "1472", "Coursera Instructor Network": "1573", "University of Michigan": "6",
                     "DeepLearning.AI": "1092", "Macquarie University": "217", "Microsoft": "1154",
                     "The Linux Foundation": "1285"}
CREDLY_ORGS = {"comptia": "CompTIA", "amazon-web-services": "Amazon Web Services", "google": "Google", "isc2": "ISC2",
               "pmi": "Project Management Institute"}
COURSE_SITES = {"skillforge": "SkillForge Academy", "learnpoint": "LearnPoint", "medtrain": "MedTrain Institute",
                "ledgerprep": "LedgerPrep"}
CREDLY_PER_PAGE = 50  # documented default page size; the snapshot honours ?per=


def index(week: str) -> int:
    """Calendar index of `week`, clamped to the calendar."""
    return min(max(index_between(CALENDAR[0], week), 0), len(CALENDAR) - 1)


def active(week: str, source: str | None = None) -> list[Offering]:
    i = index(week)
    return [o for o in OFFERINGS if o.active(i) and (source is None or o.source == source)]


def truth(week: str) -> list[dict]:
    """Active offerings of every catalog source in `week`, with the credential each leads to."""
    i = index(week)
    return [{"source": o.source, "key": o.key, "title": o.title, "credential_id": o.leads_to, "provider": o.provider,
             "price": o.price_at(i), "currency": o.currency if o.price_at(i) is not None else None, "hours": o.hours,
             "new": o.appears == i and i > 0}
            for o in active(week)]


# ------------------------------------------------------------------------ Coursera
def _slug(o: Offering) -> str:
    return o.key if not o.key.startswith("gda-new") else f"google-data-analytics-{o.key[-2:]}"


def _coursera_element(o: Offering, resource: str) -> dict:
    partner = COURSERA_PARTNERS[o.provider]
    if resource == "courses":
        workload = f"{int(o.hours)} hours to complete" if o.hours and o.hours < 30 else "4 weeks, 5-8 hours/week"
        return {"id": f"c-{o.key}", "slug": _slug(o), "name": o.title, "courseType": "v2.ondemand",
                "description": o.description or f"{o.title}. Offered by {o.provider}.", "workload": workload,
                "domainTypes": [{"domainId": "information-technology", "subdomainId": "cloud-computing"}],
                "partnerIds": [partner], "instructorIds": [], "primaryLanguages": [o.language],
                "certificates": ["VerifiedCert"], "photoUrl": f"https://d3njjcbhbojbot.cloudfront.net/{o.key}.png"}
    months = max(1, round((o.hours or 40) / 40))
    return {"id": f"s-{o.key}", "slug": _slug(o), "name": o.title,
            "description": o.description or f"{o.title}. Offered by {o.provider}.",
            "productVariant": "ProfessionalCertificateS" if o.kind == "professional_certificate" else "NormalS",
            "partnerIds": [partner], "courseIds": [], "primaryLanguages": [o.language],
            "metadata": {"level": o.level, "workload": f"{months} months at 10 hours a week"}}


def coursera_response(week: str, resource: str, start: str | None, limit: str | None,
                      includes: str | None = None) -> tuple[int, str]:
    """(status, JSON) of GET /api/{courses.v1|onDemandSpecializations.v1}?start=&limit=&fields=&includes=."""
    kind = {"courses.v1": "courses", "onDemandSpecializations.v1": "specializations"}.get(resource)
    if kind is None:
        return 404, json.dumps({"errorCode": "NotFound", "message": f"no resource {resource}"})
    try:
        s = int(start or 0)
        n = int(limit or 100)
    except ValueError:
        return 400, json.dumps({"errorCode": "BadRequest", "message": "start and limit must be integers"})
    if s < 0 or not 1 <= n <= 100:
        return 400, json.dumps({"errorCode": "BadRequest", "message": "limit must be between 1 and 100"})
    items = [o for o in active(week, "coursera") if o.where == kind]
    page = items[s:s + n]
    paging: dict = {"total": len(items)}
    if s + n < len(items):
        paging["next"] = str(s + n)
    body = {"elements": [_coursera_element(o, kind) for o in page], "paging": paging, "linked": {}}
    if includes and "partnerIds" in includes:
        ids = sorted({COURSERA_PARTNERS[o.provider] for o in page})
        names = {v: k for k, v in COURSERA_PARTNERS.items()}
        body["linked"] = {"partners.v1": [{"id": i, "name": names[i], "shortName": names[i].lower().replace(" ", "")}
                                          for i in ids]}
    return 200, json.dumps(body, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------ Credly
_TIME = {"Foundational": "Weeks", "Intermediate": "Months", "Advanced": "Months"}


def _credly_template(o: Offering, org: str) -> dict:
    certification = o.leads_to is not None and "Capstone" not in o.title and "SQL Badge" not in o.title
    return {"id": o.key, "name": o.title, "description": o.description or f"Earners of this badge: {o.title}.",
            "state": "active", "public": True, "cost": "Paid" if certification else "Free", "level": o.level,
            "time_to_earn": _TIME.get(o.level or "", "Weeks"),
            "type_category": "Certification" if certification else "Learning",
            "skills": [{"id": f"skill-{k}", "name": s, "vanity_slug": s.lower().replace(" ", "-")}
                       for k, s in enumerate(("Cloud", "Security") if "AWS" in o.title else ("Data Analysis",))],
            "global_activity_url": f"https://www.credly.com/org/{org}/badge/{o.key[:8]}",
            "image_url": f"https://images.credly.com/images/{o.key}/blob.png",
            "url": f"https://www.credly.com/org/{org}/badge/{_credly_slug(o)}",
            "owner": {"name": CREDLY_ORGS[org], "vanity_url": org}}


def _credly_slug(o: Offering) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in o.title.lower()).strip("-").replace("--", "-")


def credly_response(week: str, org: str, page: str | None, per: str | None, base_url: str) -> tuple[int, str]:
    """(status, JSON) of GET /organizations/{org}/badges.json?page=N (inferred public listing, credly.md)."""
    if org not in CREDLY_ORGS:
        return 404, json.dumps({"data": {"message": "Organization not found"}, "metadata": {}})
    try:
        p = int(page or 1)
        n = int(per or CREDLY_PER_PAGE)
    except ValueError:
        return 400, json.dumps({"data": {"message": "page must be an integer"}, "metadata": {}})
    items = [o for o in active(week, "credly") if o.where == org]
    pages = max(1, -(-len(items) // n))
    chunk = items[(p - 1) * n: p * n] if p >= 1 else []
    def url(k: int | None) -> str | None:
        return None if k is None else f"{base_url}/organizations/{quote(org)}/badges.json?page={k}&per={n}"
    meta = {"count": len(chunk), "current_page": p, "total_count": len(items), "total_pages": pages, "per": n,
            "previous_page_url": url(p - 1 if p > 1 else None), "next_page_url": url(p + 1 if p < pages else None)}
    return 200, json.dumps({"data": [_credly_template(o, org) for o in chunk], "metadata": meta},
                           ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------ schema.org
def courses_sitemap_index(week: str, base: str) -> tuple[int, str]:
    entries = "".join(f"<sitemap><loc>{base}/sitemaps/{site}.xml</loc></sitemap>" for site in COURSE_SITES)
    return 200, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>\n')


def courses_sitemap(week: str, site: str, base: str) -> tuple[int, str]:
    if site not in COURSE_SITES:
        return 404, "<html><body>Not found</body></html>"
    urls = "".join(f"<url><loc>{base}/{site}/courses/{o.key}.html</loc></url>"
                   for o in active(week, "courses") if o.where == site)
    return 200, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')


def _workload(o: Offering, n: int) -> str:
    """courseWorkload in the ways providers write it: ISO 8601 mostly, free text sometimes."""
    h = int(o.hours or 0)
    if n % 4 == 3 and h % 8 == 0 and h <= 40:
        return f"{h // 8} days, 8 hours a day"
    return f"PT{h}H"


def course_jsonld(o: Offering, site: str, week: str) -> dict | list:
    i = index(week)
    n = sum(ord(c) for c in o.key)
    provider = {"@type": "Organization", "name": o.provider, "sameAs": f"https://{site}.example"}
    url = f"https://{site}.example/courses/{o.key}"
    if o.kind == "credential":
        return {"@context": "https://schema.org", "@type": "EducationalOccupationalCredential", "name": o.title,
                "credentialCategory": "certificate", "recognizedBy": provider, "url": url,
                "description": f"{o.title} is awarded by {o.provider} to students who pass its final assessment.",
                "offers": {"@type": "Offer", "price": 150, "priceCurrency": "USD", "category": "Paid"}}
    price = o.price_at(i)
    price_value: object = price
    if price is not None and n % 3 == 1:
        symbol = {"USD": "$", "GBP": "£", "EUR": "€"}[o.currency or "USD"]
        price_value = f"{symbol}{price:,.2f}"
    course: dict = {"@type": "Course", "@id": f"{url}#course", "name": o.title, "url": url,
                    "description": o.description or f"{o.title}, taught live online by {o.provider} instructors.",
                    "provider": provider, "inLanguage": o.language, "educationalLevel": o.level or "Intermediate",
                    "offers": [{"@type": "Offer", "category": "Paid", "price": price_value,
                                "priceCurrency": o.currency}] if price is not None else [],
                    "hasCourseInstance": [{"@type": "CourseInstance", "courseMode": "Online",
                                           "courseWorkload": _workload(o, n)}]}
    if o.code:
        course["courseCode"] = o.code
    if o.credential:
        course["educationalCredentialAwarded"] = o.credential if n % 2 else {
            "@type": "EducationalOccupationalCredential", "name": o.credential, "credentialCategory": "certification"}
    if n % 2:  # some sites wrap their markup in an @graph with the organisation and breadcrumbs
        return {"@context": "https://schema.org", "@graph": [
            {"@type": "Organization", "@id": f"https://{site}.example/#org", "name": o.provider},
            {"@type": "BreadcrumbList", "itemListElement": []}, course]}
    return {"@context": "https://schema.org", **course}


def course_page(week: str, site: str, key: str) -> tuple[int, str]:
    for o in active(week, "courses"):
        if o.where == site and o.key == key:
            data = json.dumps(course_jsonld(o, site, week), ensure_ascii=False, indent=1)
            title = html.escape(o.title)
            return 200, (f'<!doctype html><html lang="{o.language}"><head><meta charset="utf-8"><title>{title}</title>'
                         f'<script type="application/ld+json">{data}</script></head>'
                         f'<body><h1>{title}</h1><p>{html.escape(o.provider)}</p></body></html>')
    return 404, "<html><body>Course not found</body></html>"
