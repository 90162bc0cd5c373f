"""Words people use for the same kind of help, grouped: a need for "reading coaches" is met by
an offer of "volunteer tutors". General to community work, not to any one profile; each
group is named by the word a reason shows. Words are matched after stemming, so one form
of each is enough ("driver" covers "drivers").

`CONCEPTS` are kinds of help or things (what an offer is); `TOPICS` are what work is about.
A topic links missions ("both work on older adults") but never makes an offer meet a need:
books about reading do not answer a need for funding for a reading program."""

from __future__ import annotations

CONCEPTS: dict[str, tuple[str, ...]] = {
    "tutoring": ("tutor", "tutoring", "coach", "coaching", "mentor", "mentoring", "homework"),
    "space": (
        "room", "hall", "space", "venue", "auditorium", "classroom", "facility", "gym",
        "studio",
    ),
    "transport": (
        "driver", "driving", "van", "transport", "transportation", "rides", "delivery",
        "deliveries", "vehicle", "bus", "truck",
    ),
    "food": ("food", "groceries", "produce", "meals", "pantry", "nutrition", "vegetables"),
    "funding": (
        "grant", "grants", "funding", "donation", "donations", "fundraising", "sponsor",
        "sponsorship", "money", "donors",
    ),
    "volunteers": ("volunteer", "volunteers", "helpers", "crew", "hands"),
    "interpreting": (
        "interpreter", "interpreting", "translation", "translator", "bilingual", "languages",
        "multilingual",
    ),
    "legal help": ("legal", "lawyer", "attorney", "law", "rights", "paralegal"),
    "cooking": ("kitchen", "cooking", "chef", "culinary", "cook"),
    "storage": ("storage", "refrigerator", "freezer", "warehouse", "fridge", "cold"),
    "outreach": (
        "promotion", "publicity", "outreach", "audience", "audiences", "marketing",
        "newsletter", "advertising",
    ),
    "computers": ("computer", "computers", "laptops", "digital", "tech", "internet", "wifi"),
    "health care": ("clinic", "nurse", "nurses", "medical", "doctor", "screening", "health"),
    "mental health": ("counseling", "therapy", "counselor", "therapist", "wellbeing"),
    "jobs": (
        "job", "jobs", "employment", "career", "resume", "hiring", "apprenticeship",
        "internship", "workforce",
    ),
    "housing": ("housing", "shelter", "homeless", "homelessness", "rent", "tenants", "apartments"),
    "childcare": ("childcare", "babysitting", "daycare", "toddlers"),
}  # fmt: skip

TOPICS: dict[str, tuple[str, ...]] = {
    "reading": ("reading", "literacy", "books", "library", "readers", "storytime"),
    "young people": ("youth", "teens", "teenagers", "kids", "children", "students", "young"),
    "older adults": ("seniors", "elders", "elderly", "older", "aging", "retirees"),
    "the arts": ("art", "arts", "artists", "music", "theater", "theatre", "murals", "creative"),
    "the environment": (
        "trees", "climate", "garden", "gardens", "compost", "recycling", "environmental",
        "planting",
    ),
    "newcomers": ("immigrants", "refugees", "newcomers", "migrants", "asylum"),
}  # fmt: skip
