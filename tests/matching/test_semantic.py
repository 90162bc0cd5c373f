"""The semantic engine, with the real bundled model: it meets offers and needs worded with
no word in common, says why, caches its vectors per phrase and per workspace, and blends
with the lexical engine. Skipped where the `semantic` extra is not installed — unless
FOLLOWTHROUGH_REQUIRE_SEMANTIC is set (CI), where a missing extra fails."""

from __future__ import annotations

import os

import pytest

from followthrough.matching import engines, selectors
from followthrough.matching.lexical import Profile
from followthrough.matching.models import PartnerIndex, PhraseVector
from followthrough.people.services import organization_update
from followthrough.workspaces.models import Engine, Workspace
from tests.factories import make_org

if not engines.semantic_available():
    if os.environ.get("FOLLOWTHROUGH_REQUIRE_SEMANTIC"):
        raise RuntimeError("FOLLOWTHROUGH_REQUIRE_SEMANTIC is set, but the extra is missing.")
    pytest.skip("the semantic extra is not installed", allow_module_level=True)

from followthrough.matching import semantic


@pytest.fixture
def embedded(monkeypatch) -> list[str]:
    """Every text the model is asked to embed."""
    seen: list[str] = []
    real = semantic.embed

    def counting(texts):
        seen.extend(texts)
        return real(texts)

    monkeypatch.setattr(semantic, "embed", counting)
    return seen


def _describe_own(workspace: Workspace, **fields: str) -> None:
    defaults = {
        "mission": "Children in Riverside grow up reading.",
        "offers": "books for young readers",
        "needs": "coats for winter\npaint and brushes",
        "location": "Riverside",
    }
    organization_update(organization=workspace.organization, **{**defaults, **fields})


def test_offers_and_needs_with_no_word_in_common_meet_and_say_why(workspace):
    _describe_own(workspace)
    make_org(workspace, name="Coat Drive", offers="warm clothing")
    make_org(workspace, name="Chess Club", offers="chess lessons for retirees")
    assert selectors.potential_partners(workspace=workspace, engine=Engine.LEXICAL) == []
    [match] = selectors.potential_partners(workspace=workspace, engine=Engine.SEMANTIC)
    assert match.name == "Coat Drive"
    assert match.reasons == ("they offer warm clothing — you need coats for winter",)
    assert PartnerIndex.objects.get(workspace=workspace).engine == Engine.SEMANTIC


def test_the_workspace_setting_chooses_the_engine(owner_client, workspace):
    _describe_own(workspace)
    make_org(workspace, name="Art Room", offers="art supplies")
    assert selectors.potential_partners(workspace=workspace) == []
    workspace.match_engine = Engine.SEMANTIC
    workspace.save()
    assert [m.name for m in selectors.potential_partners(workspace=workspace)] == ["Art Room"]
    page = owner_client.get(f"/w/{workspace.slug}/organizations/partners/").content.decode()
    assert "They offer art supplies — you need paint and brushes" in page


def test_vectors_are_cached_per_phrase_and_an_edit_embeds_only_its_new_phrases(workspace, embedded):
    _describe_own(workspace)
    pantry = make_org(workspace, name="Pantry", offers="food pantry\nwinter coats")
    selectors.potential_partners(workspace=workspace, engine=Engine.SEMANTIC)
    assert "food pantry" in embedded and "winter coats" in embedded
    embedded.clear()
    scorer = selectors.scorer(workspace=workspace, engine=Engine.SEMANTIC)
    assert scorer is not None
    scorer.score_many([Profile(pantry.pk, "Pantry", offers="food pantry")])
    assert embedded == []
    organization_update(organization=pantry, offers="food pantry\nsummer camp")
    selectors.potential_partners(workspace=workspace, engine=Engine.SEMANTIC)
    assert embedded == ["summer camp"]


def test_each_workspace_keeps_its_own_vectors(workspace, other_workspace, embedded):
    _describe_own(workspace)
    make_org(workspace, name="Pantry", offers="food pantry")
    make_org(other_workspace, name="Elsewhere Pantry", offers="food pantry")
    selectors.potential_partners(workspace=workspace, engine=Engine.SEMANTIC)
    assert not PhraseVector.objects.filter(workspace=other_workspace).exists()
    own_rows = PhraseVector.objects.filter(workspace=workspace).count()
    assert own_rows == len(set(embedded))


def test_blended_scores_carry_the_reasons_of_both_engines_once(workspace):
    _describe_own(workspace, needs="coats for winter\nvolunteer drivers")
    make_org(workspace, name="Helpers", offers="warm clothing\nvolunteer drivers")
    [match] = selectors.potential_partners(workspace=workspace, engine=Engine.BLENDED)
    assert "they offer warm clothing — you need coats for winter" in match.reasons
    assert "they offer volunteer drivers — you need volunteer drivers" in match.reasons
    assert len(match.reasons) == len(set(match.reasons))
    [lexical] = selectors.potential_partners(workspace=workspace, engine=Engine.LEXICAL)
    assert set(lexical.reasons) < set(match.reasons)


def test_a_similar_mission_is_a_reason_quoting_theirs(workspace):
    _describe_own(workspace, offers="", needs="")
    make_org(
        workspace,
        name="Bookworms",
        mission="Helping young children learn to love reading. Founded 1990.",
    )
    [match] = selectors.potential_partners(workspace=workspace, engine=Engine.SEMANTIC)
    quoted = "“Helping young children learn to love reading”"
    assert match.reasons == (f"a mission close to yours: {quoted}",)


def test_a_request_leaves_a_large_embedding_to_the_worker(
    owner_client, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    from followthrough.matching import index

    monkeypatch.setattr(index, "EMBED_NOW", 3)
    _describe_own(workspace)  # 3 phrases of ours: within the budget
    make_org(workspace, name="Coat Drive", offers="warm clothing\nhats\nscarves\nboots")
    workspace.match_engine = Engine.SEMANTIC
    workspace.save()
    partners = f"/w/{workspace.slug}/organizations/partners/"
    with django_capture_on_commit_callbacks() as worker:
        page = owner_client.get(partners).content.decode()
    assert "reading your organizations' profiles in the background" in page
    assert index.scored_with(workspace=workspace) == Engine.LEXICAL
    assert len(worker) == 1
    worker[0]()  # the task, run as the worker would
    assert index.scored_with(workspace=workspace) == Engine.SEMANTIC
    page = owner_client.get(partners).content.decode()
    assert "in the background" not in page
    assert "They offer warm clothing — you need coats for winter" in page
