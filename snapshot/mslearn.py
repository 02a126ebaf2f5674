"""The Microsoft Learn catalog as the snapshot serves it, week by week.

Shape per ../shared/formats/mslearn-catalog.md: GET /api/catalog/?type=...
returns one array per requested type. The catalog changes on a fixed
schedule over the calendar (by calendar index; weeks before the calendar
look like its first week, weeks after like its last):
- a new instructor-led course appears every four weeks (index 3, 7, 11, 15),
  moving `last_modified` of its certification and exam to that week;
- a new applied skill appears every three weeks (index 2, 5, 8, 11, 14);
- the Azure Data Engineer Associate certification, its exam DP-203 and its
  course are retired from index 8 on (they disappear, as retired items do);
- two exams get a study-guide revision (last_modified moves) mid-calendar.

Every Microsoft credential in the registry (ms-*) is covered by its exam code.
"""
from __future__ import annotations

import json

from credwatch.weeks import index_between, parse_week

TYPES = ("modules", "units", "learningPaths", "appliedSkills", "certifications", "mergedCertifications",
         "exams", "courses", "levels", "roles", "products", "subjects")
LEARN = "https://learn.microsoft.com/en-us"
TRACK = "?WT.mc_id=api_CatalogApi"
BASE_MODIFIED = "2026-05-04T00:00:00+00:00"
RETIRE_INDEX = 8

# exam code, certification uid slug, certification title, exam title, level, roles, products, course hours
CERTIFICATIONS = (
    ("AZ-900", "azure-fundamentals", "Microsoft Certified: Azure Fundamentals",
     "Microsoft Azure Fundamentals", "beginner", ["administrator", "developer", "solution-architect"], ["azure"], 8),
    ("AZ-104", "azure-administrator", "Microsoft Certified: Azure Administrator Associate",
     "Microsoft Azure Administrator", "intermediate", ["administrator"], ["azure"], 32),
    ("AZ-204", "azure-developer", "Microsoft Certified: Azure Developer Associate",
     "Developing Solutions for Microsoft Azure", "intermediate", ["developer"], ["azure"], 40),
    ("AZ-305", "azure-solutions-architect", "Microsoft Certified: Azure Solutions Architect Expert",
     "Designing Microsoft Azure Infrastructure Solutions", "advanced", ["solution-architect"], ["azure"], 32),
    ("AZ-400", "devops-engineer", "Microsoft Certified: DevOps Engineer Expert",
     "Designing and Implementing Microsoft DevOps Solutions", "advanced", ["devops-engineer"], ["azure", "github"], 32),
    ("AZ-500", "azure-security-engineer", "Microsoft Certified: Azure Security Engineer Associate",
     "Microsoft Azure Security Technologies", "intermediate", ["security-engineer"], ["azure"], 32),
    ("SC-900", "security-compliance-and-identity-fundamentals",
     "Microsoft Certified: Security, Compliance, and Identity Fundamentals",
     "Microsoft Security, Compliance, and Identity Fundamentals", "beginner",
     ["security-engineer", "administrator"], ["microsoft-entra", "microsoft-purview"], 8),
    ("SC-200", "security-operations-analyst", "Microsoft Certified: Security Operations Analyst Associate",
     "Microsoft Security Operations Analyst", "intermediate", ["security-operations-analyst"],
     ["microsoft-sentinel", "microsoft-defender"], 32),
    ("AI-900", "azure-ai-fundamentals", "Microsoft Certified: Azure AI Fundamentals",
     "Microsoft Azure AI Fundamentals", "beginner", ["ai-engineer", "data-scientist"], ["azure"], 8),
    ("AI-102", "azure-ai-engineer", "Microsoft Certified: Azure AI Engineer Associate",
     "Designing and Implementing a Microsoft Azure AI Solution", "intermediate", ["ai-engineer"], ["azure"], 32),
    ("DP-900", "azure-data-fundamentals", "Microsoft Certified: Azure Data Fundamentals",
     "Microsoft Azure Data Fundamentals", "beginner", ["data-engineer", "data-analyst"], ["azure"], 8),
    ("PL-300", "power-bi-data-analyst-associate", "Microsoft Certified: Power BI Data Analyst Associate",
     "Microsoft Power BI Data Analyst", "intermediate", ["data-analyst"], ["power-bi"], 24),
    ("DP-600", "fabric-analytics-engineer-associate", "Microsoft Certified: Fabric Analytics Engineer Associate",
     "Implementing Analytics Solutions Using Microsoft Fabric", "intermediate", ["data-engineer", "data-analyst"],
     ["fabric"], 32),
    ("SC-100", "cybersecurity-architect-expert", "Microsoft Certified: Cybersecurity Architect Expert",
     "Microsoft Cybersecurity Architect", "advanced", ["security-engineer", "solution-architect"],
     ["microsoft-defender", "microsoft-sentinel"], 32),
    ("SC-300", "identity-and-access-administrator", "Microsoft Certified: Identity and Access Administrator Associate",
     "Microsoft Identity and Access Administrator", "intermediate", ["administrator", "security-engineer"],
     ["microsoft-entra"], 32),
    ("SC-401", "information-security-administrator", "Microsoft Certified: Information Security Administrator Associate",
     "Administering Information Security in Microsoft 365", "intermediate", ["administrator", "security-engineer"],
     ["microsoft-purview"], 24),
    ("DP-100", "azure-data-scientist", "Microsoft Certified: Azure Data Scientist Associate",
     "Designing and Implementing a Data Science Solution on Azure", "intermediate", ["data-scientist"], ["azure"], 32),
    ("DP-300", "azure-database-administrator-associate", "Microsoft Certified: Azure Database Administrator Associate",
     "Administering Microsoft Azure SQL Solutions", "intermediate", ["database-administrator"], ["azure"], 32),
    ("AZ-700", "azure-network-engineer-associate", "Microsoft Certified: Azure Network Engineer Associate",
     "Designing and Implementing Microsoft Azure Networking Solutions", "intermediate", ["network-engineer"], ["azure"], 24),
    ("AZ-140", "azure-virtual-desktop-specialty", "Microsoft Certified: Azure Virtual Desktop Specialty",
     "Configuring and Operating Microsoft Azure Virtual Desktop", "intermediate", ["administrator"], ["azure"], 32),
    ("AZ-800", "windows-server-hybrid-administrator", "Microsoft Certified: Windows Server Hybrid Administrator Associate",
     "Administering Windows Server Hybrid Core Infrastructure", "intermediate", ["administrator"], ["windows-server"], 32),
    ("PL-900", "power-platform-fundamentals", "Microsoft Certified: Power Platform Fundamentals",
     "Microsoft Power Platform Fundamentals", "beginner", ["business-user", "functional-consultant"], ["power-platform"], 8),
    ("PL-200", "power-platform-functional-consultant-associate",
     "Microsoft Certified: Power Platform Functional Consultant Associate", "Microsoft Power Platform Functional Consultant",
     "intermediate", ["functional-consultant"], ["power-platform"], 32),
    ("PL-400", "power-platform-developer-associate", "Microsoft Certified: Power Platform Developer Associate",
     "Microsoft Power Platform Developer", "intermediate", ["developer"], ["power-platform"], 40),
    ("MS-900", "microsoft-365-fundamentals", "Microsoft 365 Certified: Fundamentals", "Microsoft 365 Fundamentals",
     "beginner", ["administrator", "business-user"], ["microsoft-365"], 8),
    ("MS-102", "m365-administrator-expert", "Microsoft 365 Certified: Administrator Expert", "Microsoft 365 Administrator",
     "advanced", ["administrator"], ["microsoft-365"], 40),
    ("MD-102", "modern-desktop", "Microsoft 365 Certified: Endpoint Administrator Associate", "Endpoint Administrator",
     "intermediate", ["administrator"], ["microsoft-intune"], 40),
    ("DP-203", "azure-data-engineer", "Microsoft Certified: Azure Data Engineer Associate",
     "Data Engineering on Microsoft Azure", "intermediate", ["data-engineer"], ["azure"], 32),
)
RETIRED_CODE = "DP-203"

# (calendar index it appears, course number, title, hours, exam code it prepares for)
NEW_COURSES = (
    (3, "AZ-104T01", "Microsoft Azure Administrator (Accelerated)", 24, "AZ-104"),
    (7, "PL-300T01", "Microsoft Power BI Data Analyst (Accelerated)", 16, "PL-300"),
    (11, "AI-900T01", "Azure AI Fundamentals: Generative AI Workloads", 8, "AI-900"),
    (15, "AZ-500T01", "Microsoft Azure Security Technologies (Accelerated)", 24, "AZ-500"),
)
# (calendar index it appears or None for always, slug, title, level, roles, products)
APPLIED_SKILLS = (
    (None, "configure-secure-access-azure-virtual-networking",
     "Configure secure access to your workloads using Azure virtual networking", "intermediate",
     ["administrator"], ["azure"]),
    (None, "secure-storage-azure-files-blob-storage", "Secure storage for Azure Files and Azure Blob Storage",
     "intermediate", ["administrator", "security-engineer"], ["azure"]),
    (None, "deploy-manage-azure-compute-resources", "Deploy and manage Azure compute resources", "intermediate",
     ["administrator"], ["azure"]),
    (None, "create-intelligent-document-processing-solution",
     "Create an intelligent document processing solution with Azure AI Document Intelligence", "intermediate",
     ["ai-engineer"], ["azure"]),
    (2, "implement-data-warehouse-fabric", "Implement a data warehouse in Microsoft Fabric", "intermediate",
     ["data-engineer"], ["fabric"]),
    (5, "defend-against-cyberthreats-defender-xdr", "Defend against cyberthreats with Microsoft Defender XDR",
     "intermediate", ["security-operations-analyst"], ["microsoft-defender"]),
    (8, "build-generative-ai-app-azure-ai-foundry", "Build a generative AI app with Azure AI Foundry",
     "intermediate", ["ai-engineer", "developer"], ["azure"]),
    (11, "create-power-bi-semantic-model", "Create and manage a Power BI semantic model", "intermediate",
     ["data-analyst"], ["power-bi"]),
    (14, "deploy-containerized-apps-azure-kubernetes-service",
     "Deploy containerized apps to Azure Kubernetes Service", "intermediate", ["developer", "administrator"],
     ["azure"]),
)
# exam code -> calendar index of a study-guide revision
STUDY_GUIDE_REVISIONS = {"AZ-104": 6, "SC-900": 10}

LEVELS = [{"id": "beginner", "name": "Beginner"}, {"id": "intermediate", "name": "Intermediate"},
          {"id": "advanced", "name": "Advanced"}]
ROLES = sorted({r for c in CERTIFICATIONS for r in c[5]} | {r for a in APPLIED_SKILLS for r in a[4]})
PRODUCTS = sorted({p for c in CERTIFICATIONS for p in c[6]} | {p for a in APPLIED_SKILLS for p in a[5]})


def _index(week: str, calendar: tuple[str, ...]) -> int:
    return min(max(index_between(calendar[0], week), 0), len(calendar) - 1)


def _stamp(week_index: int, calendar: tuple[str, ...]) -> str:
    """last_modified of something changed in calendar week `week_index` (its Monday, UTC)."""
    return f"{parse_week(calendar[week_index]).isoformat()}T00:00:00+00:00"


def _name(slug: str) -> str:
    return " ".join(w.capitalize() for w in slug.split("-"))


def catalog(week: str, calendar: tuple[str, ...]) -> dict[str, list]:
    """The full catalog (every type) as of `week`."""
    i = _index(week, calendar)
    certs, exams, courses, skills = [], [], [], []
    for code, slug, ctitle, etitle, level, roles, products, hours in CERTIFICATIONS:
        if code == RETIRED_CODE and i >= RETIRE_INDEX:
            continue
        lc = code.lower()
        cert_uid, exam_uid = f"certification.{slug}", f"exam.{lc}"
        course_uids = [f"course.{lc}t00"]
        changed = [BASE_MODIFIED]
        for when, number, title, new_hours, for_code in NEW_COURSES:
            if for_code == code and i >= when:
                course_uids.append(f"course.{number.lower()}")
                changed.append(_stamp(when, calendar))
        exam_changed = list(changed)
        rev = STUDY_GUIDE_REVISIONS.get(code)
        if rev is not None and i >= rev:
            exam_changed.append(_stamp(rev, calendar))
        kind = "fundamentals" if level == "beginner" else "role-based"
        certs.append({
            "uid": cert_uid, "title": ctitle,
            "subtitle": f"Demonstrate the skills measured by exam {code}.",
            "url": f"{LEARN}/credentials/certifications/{slug}/{TRACK}",
            "icon_url": f"{LEARN}/media/learn/certification/badges/{slug}.svg",
            "last_modified": max(changed), "certification_type": kind, "exams": [exam_uid],
            "levels": [level], "roles": list(roles), "products": list(products),
            "study_guide": [{"type": "exam", "uid": exam_uid}],
        })
        exams.append({
            "uid": exam_uid, "title": f"Exam {code}: {etitle}", "display_name": code,
            "subtitle": f"Skills measured by {ctitle}.",
            "url": f"{LEARN}/credentials/certifications/exams/{lc}/{TRACK}",
            "icon_url": f"{LEARN}/media/learn/certification/badges/{slug}.svg",
            "last_modified": max(exam_changed), "locales": ["en-us", "de-de", "ja-jp"], "courses": course_uids,
            "levels": [level], "roles": list(roles), "products": list(products),
            "providers": [{"providerType": "pearson-vue", "examUrl": f"/api/redirect/{lc}/pearson-vue"}],
            "pdf_download_url": None, "practice_test_url": None,
            "practice_assessment_url": f"{LEARN}/credentials/certifications/{slug}/practice/assessment{TRACK}",
            "study_guide": [{"type": "exam", "uid": exam_uid}],
        })
        courses.append(_course(f"{code}T00", etitle, hours, cert_uid, exam_uid, level, roles, products,
                               BASE_MODIFIED))
        for when, number, title, new_hours, for_code in NEW_COURSES:
            if for_code == code and i >= when:
                courses.append(_course(number, title, new_hours, cert_uid, exam_uid, level, roles, products,
                                       _stamp(when, calendar)))
    for when, slug, title, level, roles, products in APPLIED_SKILLS:
        if when is not None and i < when:
            continue
        skills.append({
            "uid": f"applied-skill.{slug}", "title": title,
            "summary": f"Demonstrate that you can {title[0].lower()}{title[1:]}.",
            "url": f"{LEARN}/credentials/applied-skills/{slug}/{TRACK}",
            "levels": [level], "roles": list(roles), "products": list(products), "subjects": [],
            "last_modified": BASE_MODIFIED if when is None else _stamp(when, calendar), "locale": "en-us",
            "study_guide": [],
        })
    return {
        "modules": [], "units": [], "learningPaths": [], "appliedSkills": skills, "certifications": certs,
        "mergedCertifications": [], "exams": exams, "courses": courses, "levels": LEVELS,
        "roles": [{"id": r, "name": _name(r)} for r in ROLES],
        "products": [{"id": p, "name": _name(p), "children": []} for p in PRODUCTS],
        "subjects": [],
    }


def _course(number, title, hours, cert_uid, exam_uid, level, roles, products, modified) -> dict:
    return {
        "uid": f"course.{number.lower()}", "course_number": number, "title": title,
        "summary": f"Instructor-led training: {title}.", "duration_in_hours": hours,
        "url": f"{LEARN}/training/courses/{number.lower()}/{TRACK}",
        "icon_url": f"{LEARN}/media/learn/courses/{number.lower()}.svg", "last_modified": modified,
        "locales": ["en-us"], "certification": cert_uid, "exam": exam_uid, "levels": [level],
        "roles": list(roles), "products": list(products), "study_guide": [],
    }


def catalog_response(week: str, calendar: tuple[str, ...], types: list[str] | None, locale: str = "en-us",
                     uids: list[str] | None = None) -> tuple[int, str]:
    """(status, JSON body) of GET /api/catalog/?type=...&locale=...&uid=...

    Unknown types give 400 with the valid list. Every locale answers in
    English (the real API falls back to en-us for untranslated items).
    """
    wanted = [t for t in (types or TYPES) if t]
    bad = [t for t in wanted if t not in TYPES]
    if bad:
        return 400, json.dumps({"errorCode": "InvalidType", "message": f"Unknown type(s) {bad}; valid: {list(TYPES)}"})
    full = catalog(week, calendar)
    out = {}
    for t in wanted:
        items = full[t]
        if uids:
            items = [x for x in items if x.get("uid") in uids]
        out[t] = items
    return 200, json.dumps(out, ensure_ascii=False, separators=(",", ":"))
