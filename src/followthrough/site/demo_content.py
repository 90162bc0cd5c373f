"""What the demo workspace says: its organizations, people and the stories between them.

Plain data only (no database), read by `followthrough.site.demo`. The nonprofit is fictional;
every address uses the reserved `.test` / `.example` domains.
"""

from __future__ import annotations

from typing import NamedTuple

from followthrough.relationships.models import Stage


class OrgSpec(NamedTuple):
    key: str
    name: str
    mission: str
    focus_areas: tuple[str, ...]
    offers: str
    needs: str
    lead_role: str


HOME = OrgSpec(
    "home",
    "Riverside Literacy Project",
    "We help adults and children in the Riverside valley read, write and count with "
    "confidence, through free one-to-one tutoring, family reading nights and English "
    "conversation circles.",
    ("adult literacy", "family literacy", "ESL", "youth tutoring"),
    "Trained volunteer tutors; English conversation circles; a classroom for evening "
    "meetings; twenty years of experience teaching adults to read.",
    "Volunteer tutors for evening sessions; funding for a second family reading program; "
    "referrals of adult learners; a space on the east side.",
    "",
)

ORGANIZATIONS: tuple[OrgSpec, ...] = (
    OrgSpec(
        "foodbank",
        "Riverside Food Bank",
        "No one in the valley goes hungry: a weekly pantry, mobile markets and school "
        "backpack programs.",
        ("food security", "volunteers"),
        "A warehouse with meeting space; 400 weekly volunteers; reach into every "
        "low-income neighborhood.",
        "Drivers for the mobile market; bilingual volunteers; "
        "partners to offer services at pantry days.",
        "Executive Director",
    ),
    OrgSpec(
        "mentors",
        "Northside Youth Mentors",
        "Matching every young person on the north side with a caring adult mentor.",
        ("youth mentoring", "youth tutoring"),
        "Background-checked mentors; an after-school program three days a week.",
        "Reading tutors for middle schoolers; a summer program partner.",
        "Program Director",
    ),
    OrgSpec(
        "library",
        "Riverside Public Library",
        "Free access to knowledge, stories and the internet for everyone in Riverside.",
        ("libraries", "family literacy", "digital skills"),
        "Meeting rooms; story times; computer labs; a bookmobile.",
        "Partners for adult learners; volunteers for homework help.",
        "Branch Manager",
    ),
    OrgSpec(
        "foundation",
        "Valley Community Foundation",
        "Growing local giving so that every community in the valley thrives.",
        ("funding", "capacity building"),
        "Grants from $5,000 to $75,000; board training; a nonprofit leaders' circle.",
        "Strong applicants for its education fund; data on community outcomes.",
        "Program Officer",
    ),
    OrgSpec(
        "business",
        "Riverside Downtown Business Association",
        "A lively, prosperous downtown for local businesses and the people they serve.",
        ("local business", "workforce"),
        "Sponsorships; volunteer days for member businesses; a monthly mixer.",
        "Employees with strong reading and math skills; community partners for events.",
        "President",
    ),
    OrgSpec(
        "housing",
        "Harbor Housing Alliance",
        "Safe, affordable homes for working families and seniors.",
        ("housing", "financial literacy"),
        "Housing counselors; a first-time buyer course; community rooms in six buildings.",
        "Literacy support for residents filling in forms; tutors for its after-school room.",
        "Executive Director",
    ),
    OrgSpec(
        "newneighbors",
        "New Neighbors Immigrant Center",
        "Welcoming immigrants and refugees and helping them build a life in the valley.",
        ("immigrant services", "ESL", "legal aid"),
        "Caseworkers who speak eight languages; citizenship classes; cultural events.",
        "English conversation partners; volunteers; job-readiness partners.",
        "Director",
    ),
    OrgSpec(
        "arts",
        "Eastside Arts Collective",
        "Art for and by the east side: murals, classes and a community gallery.",
        ("arts", "youth mentoring"),
        "A gallery for events; teaching artists; a print shop.",
        "Funding for free youth classes; storytelling partners.",
        "Artistic Director",
    ),
    OrgSpec(
        "adultlearning",
        "Valley Adult Learning Center",
        "High-school equivalency and career courses for adults at the community college.",
        ("adult literacy", "workforce"),
        "GED preparation; career counseling; classrooms in the evening.",
        "Learners ready for GED classes; tutors for students below a 6th-grade level.",
        "Dean of Adult Education",
    ),
    OrgSpec(
        "boysgirls",
        "Boys & Girls Club of the Valley",
        "Great futures for young people through after-school and summer programs.",
        ("youth mentoring", "youth tutoring", "health"),
        "A gym and a learning center; 300 children every afternoon.",
        "Reading specialists; family engagement partners.",
        "Unit Director",
    ),
    OrgSpec(
        "schools",
        "Riverside Unified Family Engagement Office",
        "Every family a partner in their child's learning.",
        ("family literacy", "early childhood"),
        "Access to families through 14 schools; translation services.",
        "Adult ESL classes for parents; family reading nights.",
        "Coordinator",
    ),
    OrgSpec(
        "shelter",
        "Open Door Shelter",
        "Emergency shelter and a path to stable housing for people without a home.",
        ("housing", "health"),
        "Case management; a daytime drop-in center.",
        "Tutors for residents working toward a GED; donated books.",
        "Executive Director",
    ),
    OrgSpec(
        "workforce",
        "Valley Workforce Partners",
        "Training valley residents for good jobs with local employers.",
        ("workforce", "adult literacy", "digital skills"),
        "Job training cohorts; employer connections; paid internships.",
        "Learners with basic reading skills ready for training; co-funding for bridge courses.",
        "Director of Programs",
    ),
    OrgSpec(
        "clinic",
        "Riverside Community Health Clinic",
        "Affordable primary care for everyone, regardless of insurance.",
        ("health", "immigrant services"),
        "Health workers who visit families; a waiting room full of parents.",
        "Health-literacy materials in plain language; reading corners for children.",
        "Community Health Manager",
    ),
    OrgSpec(
        "reentry",
        "Second Chapter Reentry Services",
        "Helping people coming home from prison rebuild their lives.",
        ("reentry", "workforce"),
        "Mentors with lived experience; employer partners.",
        "Literacy tutoring for returning citizens; space for evening groups.",
        "Founder",
    ),
    OrgSpec(
        "gardens",
        "Green Streets Garden Network",
        "Community gardens on every block that wants one.",
        ("environment", "food security"),
        "Garden plots; volunteers; summer programs outdoors.",
        "Partners for children's garden-and-story mornings.",
        "Coordinator",
    ),
    OrgSpec(
        "rotary",
        "Riverside Rotary Club",
        "Service above self: local business people serving their community.",
        ("local business", "funding", "volunteers"),
        "Volunteer hours; small grants; a network of business owners.",
        "Service projects for its members; speakers for its weekly lunch.",
        "President",
    ),
    OrgSpec(
        "bookbank",
        "Kids' Book Bank",
        "Putting books into the homes of children who have none.",
        ("family literacy", "early childhood"),
        "50,000 donated children's books a year; book drives.",
        "Distribution partners; volunteers to sort books.",
        "Executive Director",
    ),
    OrgSpec(
        "volunteers",
        "Valley Volunteer Center",
        "Connecting people who want to help with the nonprofits that need them.",
        ("volunteers", "capacity building"),
        "A volunteer-matching website; a yearly volunteer fair.",
        "Nonprofits with well-described volunteer roles.",
        "Director",
    ),
    OrgSpec(
        "coalition",
        "Literacy Coalition of Riverside County",
        "Every literacy provider in the county working as one network.",
        ("adult literacy", "family literacy", "capacity building"),
        "Shared training for tutors; a county-wide referral line; data on need.",
        "Member dues; providers willing to co-host trainings.",
        "Coordinator",
    ),
    OrgSpec(
        "seniors",
        "Riverside Senior Center",
        "Active, connected lives for older adults.",
        ("seniors", "volunteers", "digital skills"),
        "Retired volunteers looking for meaningful work; a large hall.",
        "Programs for grandparents raising grandchildren; tech tutors.",
        "Director",
    ),
    OrgSpec(
        "scholarships",
        "Bright Futures Scholarship Fund",
        "Scholarships and mentoring for first-generation college students.",
        ("funding", "youth mentoring"),
        "Scholarships; alumni mentors.",
        "Partners who reach first-generation families early.",
        "Executive Director",
    ),
    OrgSpec(
        "museum",
        "Riverside Children's Museum",
        "Play-based learning for young children and their families.",
        ("early childhood", "arts", "family literacy"),
        "Free family nights; exhibits; a story stage.",
        "Partners to reach families who never visit.",
        "Education Director",
    ),
    OrgSpec(
        "legalaid",
        "Hope Legal Aid",
        "Free legal help for immigrants and low-income families.",
        ("legal aid", "immigrant services"),
        "Immigration lawyers; know-your-rights workshops.",
        "Trusted community spaces for clinics; interpreters.",
        "Managing Attorney",
    ),
    OrgSpec(
        "creditunion",
        "Maple Street Credit Union",
        "Fair financial services owned by the people of Riverside.",
        ("financial literacy", "local business"),
        "Financial-literacy workshops; sponsorships; a community room.",
        "Partners whose learners want to open their first account.",
        "Community Manager",
    ),
)

# Deliberately diverse and fictional; paired and shuffled by the seeded generator.
FIRST_NAMES = (
    "Maria",
    "James",
    "Aisha",
    "Chen",
    "Priya",
    "Daniel",
    "Fatima",
    "Luis",
    "Grace",
    "Omar",
    "Hannah",
    "Tomás",
    "Keisha",
    "Ivan",
    "Mei",
    "Samuel",
    "Leila",
    "Marcus",
    "Ana",
    "Kwame",
    "Rosa",
    "Ethan",
    "Yuki",
    "Ibrahim",
    "Claire",
    "Diego",
    "Nadia",
    "Peter",
    "Amara",
    "Joon",
    "Elena",
    "Tyrone",
    "Sofia",
    "Hassan",
    "Ruth",
    "Carlos",
    "Lina",
    "Andre",
    "Zoe",
    "Rahul",
    "Beatriz",
    "Owen",
    "Farah",
    "Miguel",
    "Esther",
    "Kofi",
    "Lucy",
    "Arjun",
    "Naomi",
    "Victor",
    "Imani",
    "Paul",
    "Carmen",
    "Dmitri",
    "Alice",
    "Jamal",
    "Ingrid",
    "Hugo",
    "Selam",
    "Noah",
)
LAST_NAMES = (
    "Alvarez",
    "Bennett",
    "Chowdhury",
    "Delgado",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ibarra",
    "Jensen",
    "Kim",
    "Lopez",
    "Mensah",
    "Nguyen",
    "Okonkwo",
    "Patel",
    "Quinn",
    "Rossi",
    "Santos",
    "Tanaka",
    "Umar",
    "Vargas",
    "Washington",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Abbott",
    "Brooks",
    "Castillo",
    "Diallo",
    "Ellis",
    "Flores",
    "Gupta",
    "Hughes",
    "Ito",
    "Johnson",
    "Kowalski",
    "Lee",
    "Morales",
    "Novak",
    "Ortiz",
    "Park",
    "Reyes",
    "Singh",
    "Torres",
    "Usman",
    "Vega",
    "Williams",
    "Yang",
    "Ahmed",
    "Baker",
    "Cruz",
    "Dubois",
    "Eze",
    "Ferreira",
    "Gordon",
    "Holm",
    "Iqbal",
    "James",
    "Kaur",
)
STAFF_ROLES = (
    "Program Manager",
    "Volunteer Coordinator",
    "Development Director",
    "Board Chair",
    "Outreach Coordinator",
    "Operations Manager",
    "Board Member",
)
INDEPENDENT_HEADLINES = (
    "Reporter at the Riverside Courier",
    "City council member, Ward 3",
    "Retired teacher and volunteer tutor",
    "Grant-writing consultant",
    "Owner of Riverbend Books",
)
PERSON_TAGS = ("board prospect", "funder", "volunteer", "press", "coalition", "donor")


class EventSpec(NamedTuple):
    key: str
    title: str
    kind: str
    days_from_now: int
    hour: int
    minute: int
    hours: int
    location: str


EVENTS: tuple[EventSpec, ...] = (
    EventSpec("gala", "Annual Literacy Gala", "hosted", -400, 18, 0, 3, "Riverside Grand Hall"),
    EventSpec(
        "summit", "Valley Nonprofit Summit", "attended", -200, 9, 0, 7, "Valley Community College"
    ),
    EventSpec(
        "breakfast",
        "Nonprofit Networking Breakfast",
        "hosted",
        -45,
        8,
        0,
        2,
        "Riverside Literacy Project classroom",
    ),
    EventSpec(
        "grantees",
        "Community Foundation Grantee Convening",
        "attended",
        -20,
        13,
        0,
        3,
        "Valley Community Foundation",
    ),
    EventSpec(
        "coalition",
        "Literacy Coalition Quarterly Meeting",
        "attended",
        -5,
        10,
        0,
        2,
        "Riverside Public Library, main branch",
    ),
    EventSpec(
        "mixer",
        "Downtown Business After Hours",
        "attended",
        -1,
        17,
        30,
        2,
        "Maple Street Credit Union",
    ),
    EventSpec(
        "spring",
        "Spring Nonprofit Breakfast",
        "hosted",
        6,
        8,
        0,
        2,
        "Riverside Literacy Project classroom",
    ),
    EventSpec(
        "librarygala",
        "Library Foundation Gala",
        "attended",
        12,
        18,
        30,
        3,
        "Riverside Public Library, main branch",
    ),
    EventSpec("fair", "Valley Volunteer Fair", "attended", 30, 10, 0, 5, "Riverside Grand Hall"),
)


class Story(NamedTuple):
    """How far one relationship has come: its stage, where the two first met (an event key,
    or None for elsewhere), days since the last interaction, and what happened to a focus
    pick made there ("done", "open", "override", "cancelled" or "")."""

    stage: int
    met_at: str | None
    days_ago: int
    pick: str = ""


# One story per person, in order; the people after the last story are only noticed.
# Slipping = the stage cadence (14/21/30/60/90 days) has run out since the last touch.
STORIES: tuple[Story, ...] = (
    Story(Stage.PARTNER, "gala", 25),
    Story(Stage.PARTNER, "gala", 100),  # slipping
    Story(Stage.PARTNER, "summit", 50),
    Story(Stage.ONGOING, "gala", 10),
    Story(Stage.ONGOING, "gala", 75),  # slipping
    Story(Stage.ONGOING, "summit", 40),
    Story(Stage.ONGOING, "summit", 65),  # slipping
    Story(Stage.ONGOING, None, 30),
    Story(Stage.MET_ONE_TO_ONE, "breakfast", 12, "done"),
    Story(Stage.MET_ONE_TO_ONE, "breakfast", 35),  # slipping
    Story(Stage.MET_ONE_TO_ONE, "summit", 45),  # slipping
    Story(Stage.MET_ONE_TO_ONE, "summit", 20),
    Story(Stage.MET_ONE_TO_ONE, None, 33),  # slipping
    Story(Stage.MET_ONE_TO_ONE, "grantees", 8, "done"),
    Story(Stage.FOLLOWED_UP, "breakfast", 30, "done"),  # slipping
    Story(Stage.FOLLOWED_UP, "breakfast", 10),
    Story(Stage.FOLLOWED_UP, "grantees", 15),
    Story(Stage.FOLLOWED_UP, "grantees", 18),
    Story(Stage.FOLLOWED_UP, None, 25),  # slipping
    Story(Stage.FOLLOWED_UP, "summit", 40),  # slipping
    Story(Stage.FOLLOWED_UP, "coalition", 3),
    Story(Stage.FOLLOWED_UP, None, 6),
    Story(Stage.MET, "mixer", 1, "open"),  # focus person, follow-up ahead
    Story(Stage.MET, "mixer", 1, "open"),
    Story(Stage.MET, "mixer", 1),
    Story(Stage.MET, "coalition", 5, "open"),  # focus follow-up overdue
    Story(Stage.MET, "coalition", 5, "open"),
    Story(Stage.MET, "coalition", 5, "override"),  # a third pick, then snoozed
    Story(Stage.MET, "coalition", 5),
    Story(Stage.MET, "grantees", 20, "cancelled"),  # slipping
    Story(Stage.MET, "grantees", 20),  # slipping
    Story(Stage.MET, "breakfast", 45),  # slipping
    Story(Stage.MET, "breakfast", 45),  # slipping
)

# What each kind of interaction says, by kind; `{first}` is the person's first name and
# `{org}` their organization.
SUMMARIES: dict[str, tuple[str, ...]] = {
    "email_sent": (
        "Thank-you note after we met",
        "Sent our annual report",
        "Invited {first} to coffee",
        "Shared the tutor-training dates",
        "Asked about a joint program",
    ),
    "email_received": (
        "{first} replied: happy to meet",
        "{first} sent {org}'s newsletter",
        "{first} introduced a colleague",
        "{first} asked about tutors",
    ),
    "call": (
        "Call about volunteer tutors",
        "Call about a shared grant",
        "Quick call to plan the next event",
    ),
    "coffee": (
        "Coffee at Riverbend Books",
        "Lunch near the library",
        "Coffee: what {org} needs this year",
    ),
    "note": (
        "{first} is joining a board this fall",
        "{org} is hiring a program manager",
        "{first} prefers phone calls to e-mail",
    ),
}

NOTICED: tuple[tuple[str, int, str], ...] = (
    ("foodbank", 3, "Opened a second pantry on the east side"),
    ("library", 9, "Announced a summer reading challenge for adults"),
    ("foundation", 14, "Opened its education fund: applications due next month"),
    ("newneighbors", 6, "Started Saturday citizenship classes"),
    ("housing", 21, "Broke ground on 60 family apartments"),
    ("arts", 12, "Unveiled a mural made with teens from the Boys & Girls Club"),
    ("workforce", 30, "Launched a healthcare training cohort"),
    ("coalition", 2, "Published the county literacy needs report"),
    ("bookbank", 17, "Collected 12,000 books in its spring drive"),
    ("business", 8, "Looking for a nonprofit partner for its holiday campaign"),
    ("clinic", 40, "Started a reach-out-and-read corner in the waiting room"),
    ("seniors", 25, "Recruiting retirees for intergenerational programs"),
)
