"""Words the generator builds names, missions and summaries from (no Django here)."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aaliyah Aaron Abdul Ada Adrian Aiko Aisha Alan Alejandro Alex Alice Amara Amir Ana Andre "
    "Andrea Angela Anil Anna Arjun Asha Ayesha Ben Beatriz Bilal Bruno Camila Carla Carlos "
    "Carmen Chen Chloe Chris Claire Dana Daniel David Deepa Diego Dmitri Elena Eli Elif Emma "
    "Eric Esther Ethan Fatima Felix Fiona Gabriel Grace Hana Hannah Hassan Hugo Ibrahim Imani "
    "Ines Ingrid Isaac Ivan Jamal James Jana Javier Jin Joon Jose Joy Julia Kamal Karen Kenji "
    "Kofi Kwame Laila Lara Leila Leo Lina Luca Lucy Luis Maria Marcus Maya Mei Miguel Mohammed "
    "Nadia Naomi Nia Noah Nora Olga Omar Owen Paul Pedro Peter Priya Rafael Rahul Ravi Rosa "
    "Ruth Sam Samuel Sara Selam Sofia Sun Tariq Thomas Tomas Tyrone Uma Victor Wei Yara Yuki "
    "Yusuf Zainab Zoe"
)
LAST_NAMES = _words(
    "Abbott Adeyemi Ahmed Alvarez Anderson Baker Banda Bennett Brooks Castillo Chen Chowdhury "
    "Cohen Cruz Delgado Diallo Dubois Ellis Evans Eze Ferreira Fischer Flores Garcia Gordon "
    "Gupta Haddad Hansen Hughes Ibarra Iqbal Ito James Jensen Johnson Kaur Khan Kim Kowalski "
    "Larsen Lee Lopez Martin Mensah Morales Murphy Nakamura Nguyen Novak Okafor Okonkwo Ortiz "
    "Park Patel Perez Quinn Ramirez Reyes Rivera Rossi Santos Schmidt Silva Singh Smith Tanaka "
    "Taylor Torres Umar Usman Vargas Vega Walker Wang Washington Williams Wilson Xu Yang Yilmaz "
    "Young Zhang"
)
PLACES = _words(
    "Riverside Northside Eastside Westside Harbor Valley Hillcrest Lakeview Oakwood Maple "
    "Cedar Pine Brookfield Fairview Greenfield Springdale Millbrook Ashford Kingsley Bayview "
    "Sunnyside Clearwater Highland Meadow Stonebridge Parkside Union Liberty Central Summit"
)
# Focus areas: the organizations' tag vocabulary, with what an organization of the area
# does and offers and the audience it serves.
AREAS: tuple[tuple[str, str, str], ...] = (
    ("adult literacy", "Literacy", "adults learning to read"),
    ("family literacy", "Family Reading", "families with young children"),
    ("youth mentoring", "Youth Mentors", "young people"),
    ("food security", "Food Bank", "families facing hunger"),
    ("housing", "Housing Alliance", "working families and seniors"),
    ("immigrant services", "Immigrant Center", "immigrants and refugees"),
    ("arts", "Arts Collective", "artists and neighbors"),
    ("workforce", "Workforce Partners", "job seekers"),
    ("health", "Health Clinic", "uninsured patients"),
    ("libraries", "Public Library", "readers of all ages"),
    ("early childhood", "Early Learning Center", "children under five"),
    ("seniors", "Senior Center", "older adults"),
    ("environment", "Green Network", "neighborhoods"),
    ("legal aid", "Legal Aid", "low-income families"),
    ("financial literacy", "Credit Union", "first-time savers"),
    ("funding", "Community Foundation", "local nonprofits"),
    ("volunteers", "Volunteer Center", "volunteers"),
    ("reentry", "Reentry Services", "people coming home from prison"),
    ("digital skills", "Tech Access Hub", "people new to computers"),
    ("local business", "Business Association", "local businesses"),
)
ORG_KINDS = (
    "Project",
    "Network",
    "Coalition",
    "Center",
    "Alliance",
    "Fund",
    "Society",
    "Partners",
    "Initiative",
    "Collaborative",
    "Trust",
    "Association",
)
OFFERS = (
    "volunteers",
    "meeting space",
    "grant funding",
    "trained tutors",
    "a newsletter reaching 5,000 families",
    "case managers",
    "translation services",
    "a food pantry",
    "job training",
    "legal clinics",
    "a bookmobile",
    "mentors",
    "sponsorships",
)
NEEDS = (
    "volunteers",
    "funding",
    "referrals",
    "a partner for summer programs",
    "space",
    "bilingual staff",
    "board members",
    "in-kind donations",
    "drivers",
    "help with grant writing",
    "more visibility",
)
# Person tags with a keep-in-touch cadence (days) — exercising the tag rule — or none.
PERSON_TAGS: tuple[tuple[str, int | None], ...] = (
    ("funder", 30),
    ("board prospect", 45),
    ("press", 90),
    ("volunteer", None),
    ("donor", None),
    ("coalition", None),
    ("speaker", None),
    ("alumni", None),
)
ROLES = (
    "Executive Director",
    "Program Manager",
    "Volunteer Coordinator",
    "Development Director",
    "Board Chair",
    "Board Member",
    "Outreach Coordinator",
    "Operations Manager",
    "Program Officer",
    "Founder",
    "Communications Lead",
    "Case Manager",
    "Teacher",
    "Community Organizer",
)
EVENT_TITLES = (
    "{place} Nonprofit Breakfast",
    "{place} {area} Roundtable",
    "{area} Coalition Meeting",
    "{place} Community Mixer",
    "{area} Funders Forum",
    "{place} Volunteer Fair",
    "{area} Summit",
    "{place} Business After Hours",
)
SUMMARIES = {
    "met": ("Met at {event}",),
    "email_sent": (
        "Thank-you note",
        "Sent our annual report",
        "Invited to coffee",
        "Shared tutor-training dates",
        "Asked about a joint program",
    ),
    "email_received": (
        "Replied: happy to meet",
        "Sent their newsletter",
        "Introduced a colleague",
        "Asked about tutors",
    ),
    "call": ("Call about volunteers", "Call about a shared grant", "Planning call"),
    "coffee": ("Coffee downtown", "Lunch near the library", "Coffee: their needs this year"),
    "note": ("Joining a board this fall", "Their org is hiring", "Prefers phone calls"),
    "noticed": (
        "Launched a new program",
        "Won a grant",
        "Opened a new site",
        "Published an annual report",
        "Hiring a program manager",
        "Looking for partners",
    ),
}
FOLLOW_UP_TITLES = (
    "Send a thank-you note",
    "Invite to coffee",
    "Share the annual report",
    "Check in about the grant",
    "Introduce to a colleague",
    "Ask about volunteering",
)
