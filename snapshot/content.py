"""Vocabulary of the generated postings: role families, titles, employers,
locations, phrase pools and salary scales.

Nothing here names a credential by itself: credential mentions are built at
run time from the registry's surface forms (snapshot.generator), and every
fragment below is checked against the registry when a Snapshot is built, so a
fragment that happens to contain a registry alias (say "ITIL" or "Leading
safe ...") is dropped instead of silently creating demand nobody planted.

Salaries are in USD per year before the currency factor of the location;
see PAY_BY_GROUP for why most titles share their SOC major group's scale.
"""
from __future__ import annotations

from dataclasses import dataclass

FAMILIES = (
    "software",
    "cloud_devops",
    "data",
    "security",
    "it_support",
    "project_management",
    "healthcare",
    "finance",
    "hr",
    "trades_safety",
)


@dataclass(frozen=True)
class Title:
    """A job title with its O*NET-SOC code and title-specific credentials.

    `creds` are (credential_id, probability) pairs asked for by this title in
    particular (an ICU nurse needs an RN licence); they come on top of the
    family's background credentials and are always *required*.
    """

    text: str
    soc: str
    creds: tuple[tuple[str, float], ...] = ()
    pay_mult: float = 1.0
    hourly: float = 0.0  # probability that the salary is posted per hour
    senior: bool = False


# (credential_id, probability) pairs each posting of a family draws from;
# at most three are kept per posting. Planted credentials never appear here:
# their demand is set by quota only, so the planted truth stays exact.
BACKGROUND: dict[str, tuple[tuple[str, float], ...]] = {
    "software": (
        ("aws-developer-associate", 0.10), ("ms-az-204", 0.08), ("ckad", 0.07),
        ("terraform-associate", 0.06), ("gcp-ace", 0.05), ("oracle-java-se-17-developer", 0.06),
        ("aws-ccp", 0.05), ("psm-i", 0.05), ("csm", 0.04),
    ),
    "cloud_devops": (
        ("aws-sysops-associate", 0.15), ("aws-sap", 0.10), ("aws-devops-professional", 0.08),
        ("ms-az-104", 0.15), ("ms-az-305", 0.08), ("ms-az-400", 0.07), ("ms-az-900", 0.08),
        ("gcp-ace", 0.10), ("gcp-pca", 0.07), ("cka", 0.15), ("ckad", 0.06),
        ("terraform-associate", 0.18), ("comptia-linux-plus", 0.05), ("aws-ccp", 0.06),
    ),
    "data": (
        ("databricks-de-associate", 0.12), ("snowflake-snowpro-core", 0.10),
        ("tableau-desktop-specialist", 0.10), ("ms-pl-300", 0.15), ("ms-dp-900", 0.06),
        ("ms-ai-900", 0.05), ("gcp-pde", 0.07), ("aws-data-engineer-associate", 0.07),
        ("tableau-data-analyst", 0.05), ("ms-dp-600", 0.05),
    ),
    "security": (
        ("cissp", 0.30), ("cism", 0.12), ("cisa", 0.08), ("ceh", 0.12), ("oscp", 0.10),
        ("gsec", 0.10), ("comptia-cysa-plus", 0.15), ("comptia-pentest-plus", 0.07),
        ("ms-sc-900", 0.05), ("ms-az-500", 0.07), ("ms-sc-200", 0.06), ("gcih", 0.08),
        ("ccsp", 0.06), ("aws-security-specialty", 0.05),
    ),
    "it_support": (
        ("comptia-a-plus", 0.28), ("comptia-network-plus", 0.20), ("ccna", 0.12),
        ("itil-4-foundation", 0.15), ("ms-az-900", 0.06), ("ms-sc-900", 0.05),
        ("ccnp-enterprise", 0.04), ("comptia-linux-plus", 0.04),
    ),
    "project_management": (
        ("capm", 0.10), ("csm", 0.15), ("psm-i", 0.10), ("safe-agilist", 0.10),
        ("prince2-foundation", 0.06), ("itil-4-foundation", 0.05),
        ("lean-six-sigma-green-belt", 0.08), ("pmi-acp", 0.05),
    ),
    "healthcare": (("bls", 0.25), ("acls", 0.10), ("pals", 0.05)),
    "finance": (
        ("cpa", 0.20), ("cfa", 0.10), ("cma", 0.10), ("cia", 0.05), ("frm", 0.04),
        ("lean-six-sigma-green-belt", 0.03),
    ),
    "hr": (("shrm-cp", 0.25), ("phr", 0.20), ("sphr", 0.05), ("shrm-scp", 0.05), ("aphr", 0.05)),
    "trades_safety": (
        ("osha-10", 0.20), ("osha-30", 0.12), ("forklift-operator", 0.08), ("cpr-aed", 0.10),
        ("hazwoper-40", 0.04),
    ),
}

TITLES: dict[str, tuple[Title, ...]] = {
    "software": (
        Title("Software Engineer", "15-1252.00"),
        Title("Senior Software Engineer", "15-1252.00", senior=True),
        Title("Backend Engineer (Python)", "15-1252.00"),
        Title("Full Stack Developer", "15-1252.00"),
        Title("Staff Software Engineer, Platform", "15-1252.00", senior=True),
        Title("Frontend Engineer (React)", "15-1254.00"),
        Title("Mobile Engineer (iOS)", "15-1252.00"),
        Title("Software Development Engineer in Test", "15-1253.00"),
    ),
    "cloud_devops": (
        Title("DevOps Engineer", "15-1244.00"),
        Title("Site Reliability Engineer", "15-1244.00"),
        Title("Cloud Engineer", "15-1241.00"),
        Title("Senior Platform Engineer", "15-1252.00", senior=True),
        Title("Cloud Infrastructure Engineer", "15-1241.00"),
        Title("Cloud Solutions Architect", "15-1241.00", senior=True),
    ),
    "data": (
        Title("Data Analyst", "15-2051.01"),
        Title("Data Engineer", "15-1243.00"),
        Title("Analytics Engineer", "15-1243.00"),
        Title("Business Intelligence Analyst", "15-2051.01"),
        Title("Data Scientist", "15-2051.00"),
        Title("Senior Data Engineer", "15-1243.00", senior=True),
        Title("Machine Learning Engineer", "15-2051.00"),
    ),
    "security": (
        Title("Security Analyst", "15-1212.00"),
        Title("SOC Analyst (Tier 2)", "15-1212.00"),
        Title("Security Engineer", "15-1212.00"),
        Title("Penetration Tester", "15-1299.04"),
        Title("Cloud Security Engineer", "15-1212.00"),
        Title("GRC Analyst", "15-1212.00"),
        Title("Incident Response Analyst", "15-1212.00"),
        Title("Senior Security Architect", "15-1212.00", senior=True),
    ),
    "it_support": (
        Title("IT Support Specialist", "15-1232.00", hourly=0.35),
        Title("Help Desk Technician", "15-1232.00", hourly=0.45),
        Title("Desktop Support Technician", "15-1232.00", hourly=0.35),
        Title("Systems Administrator", "15-1244.00"),
        Title("Network Administrator", "15-1244.00"),
        Title("Network Engineer", "15-1241.00"),
        Title("IT Service Desk Analyst", "15-1232.00", hourly=0.3),
    ),
    "project_management": (
        Title("Project Manager", "13-1082.00"),
        Title("Senior Project Manager", "13-1082.00", senior=True),
        Title("Technical Program Manager", "13-1082.00"),
        Title("Program Manager", "13-1082.00"),
        Title("Project Coordinator", "13-1082.00"),
        Title("Agile Delivery Lead", "13-1082.00"),
    ),
    "healthcare": (
        Title("Registered Nurse - Med/Surg", "29-1141.00", (("rn", 1.0), ("bls", 0.8)), hourly=0.4),
        Title("ICU Registered Nurse", "29-1141.00", (("rn", 1.0), ("bls", 0.9), ("acls", 0.8)), hourly=0.4),
        Title("Charge Nurse", "29-1141.00", (("rn", 1.0), ("bls", 0.7), ("acls", 0.3)), pay_mult=1.08, hourly=0.3),
        Title("Travel Nurse - Telemetry", "29-1141.00", (("rn", 1.0), ("bls", 0.9), ("acls", 0.6)), pay_mult=1.15, hourly=0.6),
        Title("Licensed Practical Nurse", "29-2061.00", (("lpn", 1.0), ("bls", 0.7)), pay_mult=0.68, hourly=0.8),
        Title("Certified Nursing Assistant", "31-1131.00", (("cna", 1.0), ("bls", 0.5)), hourly=0.85),
        Title("Patient Care Technician", "31-1131.00", (("cna", 0.4), ("bls", 0.8)), pay_mult=1.05, hourly=0.85),
    ),
    "finance": (
        Title("Staff Accountant", "13-2011.00", (("cpa", 0.15),)),
        Title("Senior Accountant", "13-2011.00", (("cpa", 0.35),), senior=True),
        Title("Financial Analyst", "13-2051.00", (("cfa", 0.10),)),
        Title("FP&A Analyst", "13-2051.00"),
        Title("Cost Accountant", "13-2011.00", (("cma", 0.25),)),
        Title("Internal Auditor", "13-2011.00", (("cia", 0.25), ("cisa", 0.08))),
        Title("Accounting Manager", "11-3031.00", (("cpa", 0.4),), senior=True),
    ),
    "hr": (
        Title("HR Generalist", "13-1071.00"),
        Title("Human Resources Business Partner", "13-1071.00"),
        Title("Recruiter", "13-1071.00"),
        Title("Talent Acquisition Specialist", "13-1071.00"),
        Title("People Operations Manager", "11-3121.00", senior=True),
        Title("Compensation Analyst", "13-1141.00"),
    ),
    "trades_safety": (
        Title("Class A Truck Driver", "53-3032.00", (("cdl-class-a", 1.0),), hourly=0.3),
        Title("Regional Truck Driver", "53-3032.00", (("cdl-class-a", 1.0),), hourly=0.3),
        Title("HVAC Technician", "49-9021.00", (("epa-608", 0.7),), hourly=0.7),
        Title("HVAC Service Technician", "49-9021.00", (("epa-608", 0.75),), pay_mult=1.05, hourly=0.7),
        Title("Electrician", "47-2111.00", hourly=0.7),
        Title("Journeyman Electrician", "47-2111.00", pay_mult=1.1, hourly=0.7),
        Title("Site Safety Manager", "19-5011.00", (("osha-30", 0.7),), pay_mult=1.1),
        Title("EHS Coordinator", "19-5011.00", (("osha-30", 0.4),), pay_mult=0.85),
        Title("Maintenance Technician", "49-9071.00", hourly=0.7, pay_mult=0.9),
    ),
}

# Median annual base pay (USD) per SOC major group. Titles in groups 11, 13
# and 15 share their group's scale on purpose: the salary-premium mart
# compares postings within a SOC major group, and title-level pay
# differences would bias the planted aws-saa / google-data-analytics
# premiums by the mix of titles that happen to carry them.
PAY_BY_GROUP: dict[str, int] = {
    "11": 132_000, "13": 84_000, "15": 121_000, "19": 78_000, "29": 90_000,
    "31": 40_000, "47": 62_000, "49": 58_000, "53": 64_000,
}
PAY_SPREAD = 0.14  # sigma of the log-normal noise around the median
HOURS_PER_YEAR = 2080

DEPARTMENTS: dict[str, str] = {
    "software": "Engineering", "cloud_devops": "Infrastructure", "data": "Data & Analytics",
    "security": "Security", "it_support": "IT", "project_management": "Program Management",
    "healthcare": "Nursing", "finance": "Finance", "hr": "People", "trades_safety": "Field Operations",
}
DIVISIONS: dict[str, str] = {
    "software": "R&D", "cloud_devops": "R&D", "data": "R&D", "security": "Technology",
    "it_support": "Technology", "project_management": "Operations", "healthcare": "Clinical",
    "finance": "G&A", "hr": "G&A", "trades_safety": "Operations",
}


@dataclass(frozen=True)
class Location:
    city: str | None  # None for a remote posting
    region: str  # US state / province code, or country name for remote
    country: str  # ISO 3166-1 alpha-2
    postal: str
    street: str

    @property
    def currency(self) -> str:
        return {"US": "USD", "GB": "GBP", "DE": "EUR", "NL": "EUR", "IE": "EUR", "CA": "CAD"}[self.country]

    @property
    def country_name(self) -> str:
        return {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "NL": "Netherlands",
                "IE": "Ireland", "CA": "Canada"}[self.country]

    @property
    def label(self) -> str:
        """Free-text location as boards show it ("Austin, TX", "London, United Kingdom")."""
        if self.city is None:
            return f"Remote - {self.country}"
        if self.country == "US" or self.country == "CA":
            return f"{self.city}, {self.region}"
        return f"{self.city}, {self.country_name}"


US_CITIES = (
    Location("Seattle", "WA", "US", "98104", "1201 3rd Ave"),
    Location("Austin", "TX", "US", "78701", "500 W 2nd St"),
    Location("New York", "NY", "US", "10001", "350 5th Ave"),
    Location("Chicago", "IL", "US", "60606", "233 S Wacker Dr"),
    Location("Denver", "CO", "US", "80202", "1700 Lincoln St"),
    Location("Atlanta", "GA", "US", "30303", "191 Peachtree St NE"),
    Location("Boston", "MA", "US", "02110", "100 Federal St"),
    Location("Phoenix", "AZ", "US", "85004", "2 N Central Ave"),
    Location("Columbus", "OH", "US", "43215", "41 S High St"),
    Location("Raleigh", "NC", "US", "27601", "150 Fayetteville St"),
)
ABROAD = (
    Location("London", "England", "GB", "EC2A 4BX", "1 Finsbury Ave"),
    Location("Manchester", "England", "GB", "M1 3HU", "2 Piccadilly Pl"),
    Location("Berlin", "Berlin", "DE", "10117", "Friedrichstraße 68"),
    Location("Amsterdam", "North Holland", "NL", "1017 CE", "Vijzelstraat 68"),
    Location("Dublin", "Leinster", "IE", "D02 F205", "1 Grand Canal Sq"),
    Location("Toronto", "ON", "CA", "M5H 2N2", "100 King St W"),
)
REMOTE_US = Location(None, "United States", "US", "", "")
# Local-currency pay relative to the USD scale (rough purchasing levels, not FX).
CURRENCY_FACTOR = {"USD": 1.0, "GBP": 0.62, "EUR": 0.68, "CAD": 1.05}

# Families whose postings may be remote or hybrid, and may be abroad.
OFFICE_FAMILIES = {"software", "cloud_devops", "data", "security", "project_management", "finance", "hr"}


@dataclass(frozen=True)
class Employer:
    """A company whose postings a board / site carries."""

    name: str
    website: str
    family_weights: dict[str, float]
    cities: tuple[int, ...]  # indexes into US_CITIES
    abroad: float  # probability of a non-US office for office families
    about: tuple[str, ...]


_TECH = "software cloud_devops data security"

BOARD_EMPLOYERS: dict[str, Employer] = {
    "northwind-cloud": Employer(
        "Northwind Cloud", "https://northwind-cloud.example",
        {"software": 26, "cloud_devops": 26, "data": 12, "security": 8, "it_support": 8,
         "project_management": 8, "hr": 5, "finance": 5},
        (0, 1, 2), 0.15,
        ("Northwind Cloud runs the infrastructure platform that thousands of engineering teams deploy to every day.",
         "Northwind Cloud builds developer tooling and managed infrastructure for companies that ship software fast.",
         "At Northwind Cloud we help product teams run reliable services without running their own data centers."),
    ),
    "bluepeak-health": Employer(
        "BluePeak Health", "https://bluepeak-health.example",
        {"healthcare": 55, "it_support": 10, "hr": 10, "finance": 10, "project_management": 8, "data": 7},
        (4, 5, 8), 0.0,
        ("BluePeak Health is a regional health system of four hospitals and twenty clinics serving patients across the Mountain West.",
         "BluePeak Health delivers acute, ambulatory and home care to more than 400,000 patients every year.",
         "For over sixty years BluePeak Health has cared for our communities with compassion and clinical excellence."),
    ),
    "ironclad-security": Employer(
        "Ironclad Security", "https://ironclad-security.example",
        {"security": 45, "it_support": 15, "cloud_devops": 12, "software": 12, "project_management": 8,
         "hr": 4, "finance": 4},
        (1, 3, 9), 0.1,
        ("Ironclad Security provides managed detection and response to mid-sized companies around the clock.",
         "Ironclad Security protects hospitals, banks and manufacturers from ransomware and fraud.",
         "Ironclad Security is a fast-growing managed security provider with operations centers in three time zones."),
    ),
    "orbital-data": Employer(
        "Orbital Data", "https://orbital-data.example",
        {"data": 40, "software": 20, "cloud_devops": 10, "project_management": 10, "finance": 10, "hr": 10},
        (2, 6, 0), 0.2,
        ("Orbital Data turns satellite and sensor feeds into analytics that insurers and farmers act on.",
         "Orbital Data builds the analytics platform behind crop forecasts, logistics planning and risk models.",
         "Orbital Data is a profitable analytics company helping customers make decisions from geospatial data."),
    ),
    "keystone-build": Employer(
        "Keystone Build", "https://keystone-build.example",
        {"trades_safety": 50, "project_management": 15, "finance": 10, "hr": 10, "it_support": 10, "data": 5},
        (7, 8, 9, 5), 0.0,
        ("Keystone Build is a commercial construction and facilities services company with 2,000 employees.",
         "Keystone Build designs, builds and maintains schools, warehouses and hospitals across the Sun Belt.",
         "Keystone Build has delivered commercial construction projects on time and on budget since 1978."),
    ),
}

# Ashby boards and SmartRecruiters companies of the snapshot (config/sources.yml `snapshot:`).
BOARD_EMPLOYERS.update({
    "lumenfield": Employer(
        "Lumenfield", "https://lumenfield.example",
        {"software": 30, "cloud_devops": 20, "data": 20, "security": 10, "project_management": 8, "hr": 6,
         "finance": 6},
        (0, 2, 6), 0.15,
        ("Lumenfield builds the observability platform that product teams use to see how their apps behave.",
         "Lumenfield is a venture-backed software company of 300 people building tools for engineering teams."),
    ),
    "quarry-analytics": Employer(
        "Quarry Analytics", "https://quarry-analytics.example",
        {"data": 35, "finance": 20, "software": 15, "hr": 10, "project_management": 10, "it_support": 10},
        (3, 2, 9), 0.1,
        ("Quarry Analytics helps retailers and lenders price risk with models built on their own data.",
         "Quarry Analytics is a profitable analytics consultancy working with banks and retail chains."),
    ),
    "CrescentCare": Employer(
        "Crescent Care Partners", "https://crescent-care.example",
        {"healthcare": 55, "it_support": 10, "hr": 12, "finance": 10, "project_management": 8, "data": 5},
        (1, 5, 7), 0.0,
        ("Crescent Care Partners operates outpatient clinics and home health services in the South and Southwest.",
         "Crescent Care Partners brings primary and home care to 200,000 patients a year."),
    ),
    "MeridianLogistics": Employer(
        "Meridian Logistics", "https://meridian-logistics.example",
        {"trades_safety": 45, "project_management": 15, "it_support": 12, "finance": 10, "hr": 10, "data": 8},
        (3, 8, 7, 5), 0.0,
        ("Meridian Logistics runs warehouses and distribution centers for consumer brands across the Midwest.",
         "Meridian Logistics moves and stores goods for manufacturers from fourteen distribution centers."),
    ),
})

# Companies hiring on Remotive (remote-only job board): office roles only.
REMOTE_EMPLOYERS: tuple[Employer, ...] = (
    Employer(
        "Driftwood Labs", "https://driftwood-labs.example",
        {"software": 35, "cloud_devops": 20, "data": 20, "security": 15, "it_support": 10},
        (0,), 0.0,
        ("Driftwood Labs is a fully distributed team building payment software for marketplaces.",),
    ),
    Employer(
        "Papercrane", "https://papercrane.example",
        {"data": 30, "software": 20, "hr": 15, "finance": 15, "project_management": 20},
        (0,), 0.0,
        ("Papercrane makes document automation software and has worked remote-first since 2016.",),
    ),
    Employer(
        "Helio Support Co", "https://helio-support.example",
        {"it_support": 40, "security": 20, "cloud_devops": 20, "project_management": 10, "hr": 10},
        (0,), 0.0,
        ("Helio Support Co runs remote IT help desks for schools and small companies.",),
    ),
)

# Federal agencies posting on USAJOBS; the department each belongs to and its agency code.
AGENCY_EMPLOYERS: tuple[Employer, ...] = (
    Employer(
        "Veterans Health Administration", "https://vha.example",
        {"healthcare": 50, "it_support": 15, "hr": 10, "finance": 10, "project_management": 8, "data": 7},
        tuple(range(10)), 0.0,
        ("The Veterans Health Administration runs hospitals and clinics that care for nine million veterans.",),
    ),
    Employer(
        "Defense Information Systems Agency", "https://disa.example",
        {"security": 35, "it_support": 20, "cloud_devops": 15, "software": 10, "project_management": 12, "data": 8},
        (4, 5, 6, 7), 0.0,
        ("The Defense Information Systems Agency provides networks and computing to the armed forces.",),
    ),
    Employer(
        "General Services Administration", "https://gsa.example",
        {"project_management": 25, "finance": 20, "hr": 15, "software": 15, "data": 15, "it_support": 10},
        (2, 3, 4, 6), 0.0,
        ("The General Services Administration manages federal buildings, purchasing and technology services.",),
    ),
)
AGENCY_DEPARTMENTS = {
    "Veterans Health Administration": ("Department of Veterans Affairs", "VATA"),
    "Defense Information Systems Agency": ("Department of Defense", "DD07"),
    "General Services Administration": ("General Services Administration", "GS00"),
}
# OPM occupational series per role family (USAJOBS JobCategory).
OPM_SERIES = {
    "software": ("Information Technology Management", "2210"), "cloud_devops": ("Information Technology Management", "2210"),
    "security": ("Information Technology Management", "2210"), "it_support": ("Information Technology Management", "2210"),
    "data": ("Data Science Series", "1560"), "project_management": ("Management And Program Analysis", "0343"),
    "healthcare": ("Nurse", "0610"), "finance": ("Financial Administration And Program", "0501"),
    "hr": ("Human Resources Management", "0201"), "trades_safety": ("Safety And Occupational Health Management", "0018"),
}
# Conditions of employment every announcement carries (USAJOBS "Requirements").
USAJOBS_CONDITIONS = ("Must be a U.S. citizen.", "Must pass a background investigation.",
                      "Must complete a one-year probationary period.")

# Startups posting in Hacker News "Who is hiring?" threads.
HN_EMPLOYERS: tuple[Employer, ...] = (
    Employer(
        "Tinkerbird", "https://tinkerbird.example",
        {"software": 45, "cloud_devops": 25, "data": 20, "security": 10},
        (0, 2, 6), 0.2,
        ("Tinkerbird (YC W24) builds a database for event data.",),
    ),
    Employer(
        "Ferrous Labs", "https://ferrous-labs.example",
        {"software": 40, "security": 30, "cloud_devops": 20, "data": 10},
        (1, 4), 0.1,
        ("Ferrous Labs makes firmware update tooling for industrial devices.",),
    ),
    Employer(
        "Loomwork", "https://loomwork.example",
        {"data": 35, "software": 30, "project_management": 15, "hr": 10, "finance": 10},
        (2, 6, 3), 0.15,
        ("Loomwork is a 20-person startup building scheduling software for factories.",),
    ),
)
# Remotive categories (name, slug) per role family.
REMOTIVE_CATEGORIES = {
    "software": ("Software Development", "software-dev"), "cloud_devops": ("DevOps / Sysadmin", "devops"),
    "data": ("Data Analysis", "data"), "security": ("Software Development", "software-dev"),
    "it_support": ("Customer Service", "customer-support"), "project_management": ("Product", "product"),
    "finance": ("Finance / Legal", "finance-legal"), "hr": ("Human Resources", "hr"),
    "healthcare": ("All others", "all-others"), "trades_safety": ("All others", "all-others"),
}

# The employers whose jobs the schema.org careers site carries (one site, several brands).
SITE_EMPLOYERS: tuple[Employer, ...] = (
    Employer(
        "Harborview Medical Center", "https://harborview-medical.example",
        {"healthcare": 60, "it_support": 12, "hr": 10, "finance": 10, "data": 8},
        (0, 6, 3), 0.0,
        ("Harborview Medical Center is a 450-bed teaching hospital and Level I trauma center.",
         "Harborview Medical Center provides specialty and emergency care to patients from across the region."),
    ),
    Employer(
        "Summit Freight Lines", "https://summit-freight.example",
        {"trades_safety": 55, "hr": 12, "finance": 10, "it_support": 10, "project_management": 8, "data": 5},
        (1, 5, 8, 7), 0.0,
        ("Summit Freight Lines moves freight for retailers and manufacturers with a fleet of 1,800 trucks.",
         "Summit Freight Lines is a family-owned regional carrier with terminals in twelve states."),
    ),
    Employer(
        "Cedar Ridge Financial", "https://cedar-ridge-financial.example",
        {"finance": 35, "data": 15, "software": 12, "security": 12, "hr": 10, "project_management": 10,
         "it_support": 6},
        (2, 3, 9), 0.1,
        ("Cedar Ridge Financial is a regional bank and wealth manager with $40 billion in assets.",
         "Cedar Ridge Financial serves families and small businesses with banking, lending and advice."),
    ),
    Employer(
        "Brightline Software", "https://brightline-software.example",
        {"software": 30, "cloud_devops": 20, "data": 18, "security": 12, "project_management": 10,
         "hr": 5, "finance": 5},
        (0, 1, 4, 6), 0.2,
        ("Brightline Software makes scheduling and billing software used by 30,000 clinics.",
         "Brightline Software builds cloud products for small businesses, from invoicing to payroll."),
    ),
    Employer(
        "Granite Facilities Services", "https://granite-facilities.example",
        {"trades_safety": 50, "project_management": 20, "it_support": 10, "hr": 10, "finance": 10},
        (7, 5, 3, 9), 0.0,
        ("Granite Facilities Services keeps offices, campuses and data centers running for over 500 clients.",
         "Granite Facilities Services provides HVAC, electrical and building maintenance nationwide."),
    ),
)
SITE_NAME = "Example Employer Group"
SITE_URL = "https://careers.example-employer.com"


def employer_for_board(token: str) -> Employer:
    """The employer behind a snapshot board; unknown tokens get a generic one.

    Generic boards take their family mix from words in the token, so adding a
    board to config/sources.yml never breaks the snapshot.
    """
    if token in BOARD_EMPLOYERS:
        return BOARD_EMPLOYERS[token]
    name = " ".join(w.capitalize() for w in token.replace("_", "-").split("-"))
    weights = {f: 1.0 for f in FAMILIES}
    for word, fams in (("health", "healthcare"), ("secur", "security"), ("cloud", "cloud_devops software"),
                       ("data", "data"), ("build", "trades_safety project_management"), ("bank", "finance")):
        if word in token:
            for f in fams.split():
                weights[f] += 6.0
    return Employer(name, f"https://{token}.example", weights, (0, 1, 2, 3), 0.05,
                    (f"{name} is a growing company hiring across several teams.",))


INTROS: dict[str, tuple[str, ...]] = {
    "software": ("You will design, build and operate the services behind our products.",
                 "Join a small team that owns its services from design review to production."),
    "cloud_devops": ("You will keep our platform fast, observable and boring in the best way.",
                     "You will automate the infrastructure our engineers ship on."),
    "data": ("You will turn messy data into trustworthy tables, dashboards and models.",
             "You will help every team answer its questions with data."),
    "security": ("You will protect our customers by finding and fixing weaknesses before attackers do.",
                 "You will investigate alerts, hunt threats and harden our systems."),
    "it_support": ("You will keep our people productive by resolving technical issues quickly and kindly.",
                   "You will support laptops, accounts, networks and the people who use them."),
    "project_management": ("You will lead cross-functional projects from kickoff to delivery.",
                           "You will keep complex programs on schedule, on budget and well communicated."),
    "healthcare": ("You will provide safe, compassionate patient care as part of our nursing team.",
                   "You will care for patients and families in a supportive clinical unit."),
    "finance": ("You will keep our books accurate and help leaders plan with confidence.",
                "You will own month-end close tasks and financial analysis for your area."),
    "hr": ("You will help our people grow, from hiring through development and retention.",
           "You will partner with managers on hiring, employee relations and programs."),
    "trades_safety": ("You will keep equipment, sites and people running safely.",
                      "You will do skilled hands-on work with a crew that looks out for each other."),
}

RESPONSIBILITIES: dict[str, tuple[str, ...]] = {
    "software": (
        "Design and build APIs and backend services in Python, Go or Java",
        "Write clean, tested code and review your teammates' pull requests",
        "Own features end to end, from design document to production monitoring",
        "Improve performance, reliability and observability of existing services",
        "Collaborate with product managers and designers on requirements",
        "Participate in an on-call rotation for the services you build",
        "Mentor junior engineers and share knowledge across teams",
        "Break down large projects into incremental, shippable changes",
    ),
    "cloud_devops": (
        "Build and maintain infrastructure as code for our cloud environments",
        "Run and improve our Kubernetes clusters and CI/CD pipelines",
        "Define SLOs and improve monitoring, alerting and incident response",
        "Automate provisioning, patching and cost reporting",
        "Partner with application teams to make deployments safe and fast",
        "Lead blameless postmortems and follow up on action items",
        "Harden networking, identity and access management in the cloud",
    ),
    "data": (
        "Build and maintain batch and streaming data pipelines",
        "Model data in the warehouse for analytics and reporting",
        "Create dashboards and reports for business stakeholders",
        "Write SQL and Python to answer ad hoc business questions",
        "Define metrics and ensure data quality across sources",
        "Partner with engineers and analysts on data contracts",
        "Present findings and recommendations to leadership",
    ),
    "security": (
        "Monitor, triage and investigate security alerts",
        "Perform vulnerability assessments and track remediation",
        "Respond to incidents and write clear incident reports",
        "Develop detection rules and automate response playbooks",
        "Review cloud configurations and application designs for risk",
        "Support audits and maintain security policies and controls",
        "Conduct threat hunting and tabletop exercises",
    ),
    "it_support": (
        "Resolve hardware, software and account issues by phone, chat and in person",
        "Image, configure and deploy laptops and mobile devices",
        "Manage user accounts and permissions in the directory",
        "Document solutions in the knowledge base",
        "Troubleshoot network connectivity, printers and conference rooms",
        "Escalate complex issues and follow them through to resolution",
        "Maintain an accurate inventory of IT assets",
    ),
    "project_management": (
        "Plan project scope, schedule, budget and resources",
        "Run status meetings and communicate progress to stakeholders",
        "Identify risks and dependencies and drive them to resolution",
        "Manage vendors and contracts in partnership with procurement",
        "Track milestones and report on budget and schedule variance",
        "Facilitate planning sessions and retrospectives",
        "Coordinate work across engineering, operations and finance",
    ),
    "healthcare": (
        "Assess, plan and deliver direct patient care",
        "Administer medications and treatments as ordered",
        "Document patient care accurately in the electronic health record",
        "Educate patients and families on care plans and discharge",
        "Collaborate with physicians and the interdisciplinary care team",
        "Monitor vital signs and report changes in patient condition",
        "Maintain a safe, clean and comfortable environment for patients",
    ),
    "finance": (
        "Prepare journal entries, reconciliations and month-end close",
        "Build budgets, forecasts and variance analyses",
        "Prepare financial statements and management reports",
        "Support the annual external audit",
        "Improve accounting processes and internal controls",
        "Analyze costs and margins to support business decisions",
        "Partner with department leaders on spending and planning",
    ),
    "hr": (
        "Advise managers on employee relations and performance issues",
        "Run full-cycle recruiting for assigned roles",
        "Administer benefits, leave and onboarding programs",
        "Maintain employee records and HR systems",
        "Support compensation reviews and job leveling",
        "Design and deliver training and engagement programs",
        "Ensure compliance with employment laws and policies",
    ),
    "trades_safety": (
        "Install, maintain and repair equipment according to code",
        "Diagnose problems and complete repairs safely and efficiently",
        "Perform preventive maintenance and keep accurate service records",
        "Conduct site inspections and safety walks",
        "Communicate with customers and supervisors about work status",
        "Read blueprints, schematics and work orders",
        "Keep vehicles, tools and work areas clean and organized",
    ),
}

SKILLS: dict[str, tuple[str, ...]] = {
    "software": (
        "Strong proficiency in Python, Go or Java",
        "Experience designing RESTful APIs and distributed systems",
        "Solid understanding of relational databases and SQL",
        "Experience with automated testing and continuous integration",
        "Familiarity with containers and cloud platforms",
        "Clear written and verbal communication",
    ),
    "cloud_devops": (
        "Hands-on experience with Kubernetes, Docker and Helm",
        "Experience with infrastructure as code tools such as Terraform or Pulumi",
        "Scripting in Python, Bash or Go",
        "Experience running production workloads on a major cloud provider",
        "Knowledge of networking, DNS, load balancing and TLS",
        "Experience with Prometheus, Grafana or similar monitoring tools",
    ),
    "data": (
        "Advanced SQL and experience with a cloud data warehouse",
        "Experience with Python or R for analysis",
        "Experience with dbt, Airflow or similar orchestration tools",
        "Experience building dashboards in Tableau, Looker or Power BI",
        "Strong grasp of statistics and experiment design",
        "Ability to explain technical findings to non-technical audiences",
    ),
    "security": (
        "Experience with SIEM and EDR tools",
        "Knowledge of networking, operating systems and common attack techniques",
        "Familiarity with NIST CSF, ISO 27001 or SOC 2 controls",
        "Scripting skills in Python or PowerShell",
        "Experience securing cloud environments",
        "Strong analytical and written communication skills",
    ),
    "it_support": (
        "Experience supporting Windows and macOS in a business environment",
        "Working knowledge of Active Directory and Microsoft 365 administration",
        "Basic networking knowledge: TCP/IP, DHCP, DNS and Wi-Fi",
        "Excellent customer service and patience",
        "Experience with a ticketing system such as ServiceNow or Jira",
    ),
    "project_management": (
        "Proven track record of delivering projects on time and on budget",
        "Experience with agile and waterfall delivery methods",
        "Strong stakeholder management and communication skills",
        "Proficiency with Jira, Smartsheet or MS Project",
        "Experience managing budgets and vendor contracts",
    ),
    "healthcare": (
        "Strong clinical judgment and critical thinking",
        "Ability to work twelve-hour shifts, weekends and holidays",
        "Experience with Epic or another electronic health record",
        "Excellent communication with patients, families and the care team",
        "Ability to lift 50 pounds and stand for long periods",
    ),
    "finance": (
        "Strong knowledge of GAAP and financial reporting",
        "Advanced Excel skills including pivot tables and lookups",
        "Experience with NetSuite, SAP or Oracle ERP",
        "High attention to detail and accuracy",
        "Experience with financial modeling and forecasting",
    ),
    "hr": (
        "Working knowledge of federal and state employment law",
        "Experience with an HRIS such as Workday or BambooHR",
        "Excellent interpersonal and conflict resolution skills",
        "Ability to handle confidential information with discretion",
        "Experience with full-cycle recruiting",
    ),
    "trades_safety": (
        "Valid driver's license and a clean driving record",
        "Ability to read blueprints and technical drawings",
        "Own hand tools and reliable transportation",
        "Ability to lift 75 pounds and work at heights",
        "Willingness to work overtime and respond to emergency calls",
    ),
}

NICE_SKILLS: dict[str, tuple[str, ...]] = {
    "software": ("Experience with event-driven architectures is a plus", "Open-source contributions are a plus"),
    "cloud_devops": ("Experience with service meshes is a plus", "Experience with multi-region failover is a plus"),
    "data": ("Experience with Spark is a plus", "Experience with machine learning in production is a plus"),
    "security": ("Experience with threat intelligence platforms is a plus", "Bug bounty experience is a plus"),
    "it_support": ("Experience with Intune or Jamf is a plus", "Bilingual English and Spanish is a plus"),
    "project_management": ("Experience in a regulated industry is a plus", "Construction or engineering background is a plus"),
    "healthcare": ("Med/surg or telemetry experience is a plus", "Bilingual English and Spanish is a plus"),
    "finance": ("Public accounting experience is a plus", "Experience with SQL or Power Query is a plus"),
    "hr": ("Experience in a multi-state organization is a plus", "Experience with people analytics is a plus"),
    "trades_safety": ("Commercial or industrial experience is a plus", "Bilingual English and Spanish is a plus"),
}

EXPERIENCE_AREA: dict[str, str] = {
    "software": "in professional software development",
    "cloud_devops": "operating production infrastructure",
    "data": "in data engineering or analytics",
    "security": "in information security",
    "it_support": "in IT support or help desk roles",
    "project_management": "managing projects",
    "healthcare": "in acute care nursing",
    "finance": "in accounting or finance",
    "hr": "in human resources",
    "trades_safety": "in the trade",
}

# (weight, degree level, accepts experience instead, line). Level None = no degree line.
DEGREES: dict[str, tuple[tuple[float, str | None, bool, str], ...]] = {
    "tech": (
        (0.25, "bachelor", False, "Bachelor's degree in Computer Science, Engineering or a related field"),
        (0.2, "bachelor", True, "Bachelor's degree in Computer Science or equivalent experience"),
        (0.1, "bachelor", True, "BS/BA in a technical field, or equivalent practical experience"),
        (0.05, "master", False, "Master's degree in Computer Science, Statistics or a related field"),
        (0.4, None, False, ""),
    ),
    "it_support": (
        (0.2, "associate", False, "Associate degree in Information Technology or a related field"),
        (0.25, "bachelor", True, "Bachelor's degree in IT or equivalent work experience"),
        (0.2, "high_school", False, "High school diploma or GED"),
        (0.35, None, False, ""),
    ),
    "project_management": (
        (0.4, "bachelor", False, "Bachelor's degree in Business, Engineering or a related field"),
        (0.3, "bachelor", True, "Bachelor's degree or equivalent experience"),
        (0.3, None, False, ""),
    ),
    "nurse": (
        (0.4, "bachelor", False, "BSN required"),
        (0.2, "bachelor", False, "Bachelor of Science in Nursing from an accredited program"),
        (0.4, "associate", False, "ADN or BSN from an accredited nursing program"),
    ),
    "lpn": ((1.0, None, False, "Graduate of an accredited practical nursing program"),),
    "aide": ((0.7, "high_school", False, "High school diploma or GED"), (0.3, None, False, "")),
    "finance": (
        (0.5, "bachelor", False, "Bachelor's degree in Accounting or Finance"),
        (0.2, "bachelor", True, "Bachelor's degree in Accounting, Finance or equivalent experience"),
        (0.15, "master", False, "Master's degree in Accounting, Finance or an MBA"),
        (0.15, None, False, ""),
    ),
    "hr": (
        (0.35, "bachelor", False, "Bachelor's degree in Human Resources, Business or a related field"),
        (0.3, "bachelor", True, "Bachelor's degree or equivalent HR experience"),
        (0.35, None, False, ""),
    ),
    "trades_safety": (
        (0.5, "high_school", False, "High school diploma or GED"),
        (0.15, None, False, "Completion of a technical program or registered apprenticeship"),
        (0.35, None, False, ""),
    ),
}


def degree_pool(family: str, title: str) -> str:
    if family in ("software", "cloud_devops", "data", "security"):
        return "tech"
    if family == "healthcare":
        if "Practical" in title:
            return "lpn"
        if "Nurse" in title:  # registered nurses, charge and travel nurses
            return "nurse"
        return "aide"
    return family


BENEFITS: tuple[str, ...] = (
    "Medical, dental and vision insurance from day one",
    "401(k) with a 4% company match",
    "Generous paid time off and paid holidays",
    "Paid parental leave",
    "Employee assistance program",
    "Life and disability insurance",
    "Annual wellness stipend",
    "Employee referral bonuses",
)
# Extra benefits for office families (OFFICE_FAMILIES) and for everyone else.
BENEFITS_OFFICE: tuple[str, ...] = (
    "Flexible working hours", "Commuter benefits", "Home office setup allowance",
)
BENEFITS_FIELD: tuple[str, ...] = (
    "Company-paid uniforms and safety gear", "Shift differentials for nights and weekends",
    "Annual tool and boot allowance",
)

# Benefits lines naming the perk credential. {perk} is the perk credential,
# {other} a second one. Every line must match the extractor's perk_pattern
# (config/extraction.yml) so a careful extractor can tell it from demand.
PERK_LINES_ONE: tuple[str, ...] = (
    "We reimburse your {perk} exam fee",
    "We pay for your {perk}{cert}",
    "Tuition and certification reimbursement (e.g. {perk} and AWS certifications)",
    "$2,000 annual learning budget, including exam fees for {perk}",
    "We'll cover the cost of your {perk}{cert} once you pass",
    "Paid certification exams, for example {perk}",
)
PERK_LINES_TWO: tuple[str, ...] = (
    "Tuition and certification reimbursement (e.g. {perk} or {other})",
    "Professional development stipend that covers {perk} and {other} exam fees",
    "We reimburse exam fees for certifications such as {perk} or {other}",
)
# Credentials that may be the second name in a perk line (never planted demand).
PERK_OTHERS: tuple[str, ...] = (
    "itil-4-foundation", "capm", "csm", "comptia-a-plus", "ms-az-900", "aws-ccp",
    "lean-six-sigma-green-belt", "shrm-cp", "ccna", "psm-i", "prince2-foundation",
)

# Demand lines per strength. No line may start like a section heading
# ("Nice to have: X", "Bonus points for X"): line-based extractors would take
# it for one. {c} is a surface form, {cert} the word that
# follows it when the form does not already say what it is (" certification",
# " license", ""). Required lines avoid every word the extractor reads as
# preferred / or-equivalent / negation / perk; the others include one.
MENTION_LINES: dict[str, tuple[str, ...]] = {
    "required": (
        "{c}{cert} required",
        "Active {c}{cert}",
        "Must hold a current {c}{cert}",
        "{c}{cert} (required)",
        "Current {c}{cert} is required for this role",
    ),
    "preferred": (
        "{c}{cert} is a plus",
        "{c}{cert} preferred",
        "Holding {c}{cert} would be great",
        "Ideally you also hold {c}{cert}",
    ),
    "or_equivalent": (
        "{c}{cert} or equivalent experience",
        "{c}{cert}, or equivalent practical experience",
        "{c}{cert} or comparable experience",
        "Equivalent experience accepted in lieu of {c}{cert}",
    ),
}
LICENSE_LINES: tuple[str, ...] = (
    "Active {c}{cert} in good standing",
    "Current, unrestricted {c}{cert} in the state of {state}",
    "Must hold an active {c}{cert}",
)

HEADINGS = {
    "about": ("About us", "About {company}", "Who we are"),
    "responsibilities": ("Responsibilities", "What you'll do", "Key responsibilities"),
    "requirements": ("Requirements", "Qualifications", "What you'll bring", "Minimum qualifications",
                     "What we're looking for"),
    "preferred": ("Nice to have", "Preferred qualifications", "Bonus points"),
    "benefits": ("Benefits", "What we offer", "Perks & benefits", "Our benefits"),
}

EEO: tuple[str, ...] = (
    "{company} is an equal opportunity employer. We consider all qualified applicants without regard to race, "
    "color, religion, sex, sexual orientation, gender identity, national origin, disability or veteran status.",
    "We are proud to be an equal opportunity employer and provide reasonable accommodation to applicants "
    "with disabilities on request.",
    "{company} is an Equal Employment Opportunity and Affirmative Action employer. We participate in E-Verify.",
)

SALARY_NOTES = (
    "Final compensation depends on experience, skills and location.",
    "Base pay only; bonus and equity are offered in addition.",
    "The range reflects the base pay we expect to offer for this role.",
)

EMPLOYMENT_LABELS = {
    "FULL_TIME": "Full-time", "PART_TIME": "Part-time", "CONTRACTOR": "Contract",
    "TEMPORARY": "Temporary", "PER_DIEM": "Per Diem",
}
