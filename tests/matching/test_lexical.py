"""The lexical engine: what intersects, in which order, and the words of each reason."""

from __future__ import annotations

from followthrough.matching.analysis import phrases, terms
from followthrough.matching.lexical import Profile, Scorer, corpus_weights

OWN = Profile(
    "own",
    "Riverside Literacy",
    mission="We help adults and children in Riverside read with confidence.",
    focus_areas=("Literacy", "Youth"),
    offers="trained volunteer tutors; a small library of donated books",
    needs="a meeting room for evening classes\nvolunteer drivers",
    city="Riverside",
)
MENTORS = Profile(
    1,
    "Northside Youth Mentors",
    mission="Mentoring middle schoolers after school.",
    focus_areas=("youth",),
    offers="a gym on weekday evenings",
    needs="reading tutors for middle schoolers; snacks",
    city="Northside",
)
SENIORS = Profile(
    2,
    "Eastport Seniors",
    mission="Keeping older adults active and connected.",
    offers="volunteer drivers with their own cars",
    needs="computer classes",
    city="Riverside",
)
PHOTOS = Profile(
    3,
    "Food Photography Collective",
    mission="Beautiful pictures of food for menus.",
    offers="photography workshops",
    needs="a studio with good light",
    city="Harbor City",
)


def _scorer(*others: Profile) -> Scorer:
    return Scorer(OWN, corpus_weights([OWN, *others]))


def test_offers_meet_needs_in_both_directions_with_the_phrases_as_written():
    match = _scorer(MENTORS, SENIORS, PHOTOS).score(MENTORS)
    assert match is not None
    assert (
        "you offer trained volunteer tutors — they need reading tutors for middle schoolers"
        in match.reasons
    )
    assert "both work on youth" in match.reasons
    seniors = _scorer(MENTORS, SENIORS, PHOTOS).score(SENIORS)
    assert seniors is not None
    assert seniors.reasons[0] == (
        "they offer volunteer drivers with their own cars — you need volunteer drivers"
    )
    assert seniors.reasons[-1] == "also in Riverside"


def test_different_words_for_one_kind_of_help_meet():
    coaches = Profile(4, "Homework Club", needs="reading coaches", city="Millbrook")
    match = _scorer(coaches).score(coaches)
    assert match is not None
    assert match.reasons == ("you offer trained volunteer tutors — they need reading coaches",)


def test_nothing_in_common_gives_no_match_and_a_place_alone_is_no_reason():
    neighbour = Profile(5, "Riverside Chess Club", mission="Chess for fun.", city="Riverside")
    scorer = _scorer(PHOTOS, neighbour)
    assert scorer.score(PHOTOS) is None
    assert scorer.score(neighbour) is None


def test_rank_leaves_out_ourselves_and_what_does_not_meet_us_best_first():
    ranked = _scorer(MENTORS, SENIORS, PHOTOS).rank([OWN, PHOTOS, MENTORS, SENIORS])
    assert {m.name for m in ranked} == {"Northside Youth Mentors", "Eastport Seniors"}
    assert all(m.reasons for m in ranked)
    assert ranked[0].score > ranked[1].score > 0


def test_what_they_offer_that_we_need_counts_more_than_the_reverse():
    own = Profile("own", "Us", offers="volunteer drivers", needs="a commercial kitchen")
    giver = Profile(1, "Giver", offers="a commercial kitchen")
    taker = Profile(2, "Taker", needs="volunteer drivers")
    ranked = Scorer(own, corpus_weights([own, giver, taker])).rank([taker, giver])
    assert [m.name for m in ranked] == ["Giver", "Taker"]


def test_a_topic_links_missions_but_does_not_make_an_offer_meet_a_need():
    own = Profile("own", "Us", mission="Family reading nights", needs="funding for reading nights")
    books = Profile(
        1, "Book Bank", mission="Books for every reading family", offers="picture books"
    )
    match = Scorer(own, corpus_weights([own, books, MENTORS, SENIORS, PHOTOS])).score(books)
    assert match is not None
    assert match.reasons == ("both work on family and reading",)


def test_offers_and_needs_are_split_into_phrases():
    assert phrases("tutors; a van\nsnacks, drinks. Space - chairs") == [
        "tutors",
        "a van",
        "snacks",
        "drinks",
        "Space",
        "chairs",
    ]


def test_terms_are_stemmed_without_filler_and_carry_their_concept():
    assert terms("We offer volunteer drivers") == ["volunt", "~volunteers", "driver", "~transport"]


def test_a_phrase_reads_lower_case_inside_a_reason_but_names_keep_their_capitals():
    own = Profile("own", "Harbor Aid", needs="Spanish speakers\nESL tutors", city="Harbor City")
    other = Profile(1, "Eastport Hall", offers="A hall\nESL tutors on Mondays", city="Eastport")
    match = Scorer(own, corpus_weights([own, other])).score(other)
    assert match is not None
    assert match.reasons == ("they offer ESL tutors on Mondays — you need ESL tutors",)
    hall = Profile(2, "Eastport Hall", offers="Eastport's big hall", needs="Spanish speakers")
    match = Scorer(OWN, corpus_weights([OWN, hall])).score(hall)
    assert (
        match is not None
        and "they offer Eastport's big hall — you need a meeting room" in (match.reasons[0])
    )
    # A common word inside a name is no name: "Volunteer drivers" reads lower case.
    center = Profile(3, "Valley Volunteer Center", offers="Volunteer drivers")
    match = Scorer(
        Profile("own", "Harbor Aid", needs="Volunteer drivers"), corpus_weights([own, center])
    ).score(center)
    assert match is not None
    assert match.reasons[0] == "they offer volunteer drivers — you need volunteer drivers"


def test_a_phrase_loses_the_words_a_form_starts_it_with():
    assert phrases("We offer trained tutors; we can lend a van\nLooking for: drivers") == [
        "trained tutors",
        "a van",
        "drivers",
    ]
