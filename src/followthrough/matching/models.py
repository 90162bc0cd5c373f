"""The partners index: every organization's score against our own profile, kept in the
database so that ranking 20,000 organizations reads ten rows instead of scoring them all,
and the phrase vectors of the semantic engine. Both are derived data, rebuilt from the
profiles whenever they are missing or stale (`matching.index`); neither is backed up."""

from __future__ import annotations

from django.db import models

from followthrough.workspaces.models import Engine, WorkspaceScoped


class PartnerScore(WorkspaceScoped):
    """How one organization intersects with our own profile: only organizations with a
    reason have a row (a score without a reason is never shown)."""

    organization = models.OneToOneField(
        "people.Organization", on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    reasons = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-score"], name="partner_ws_score")]


class PartnerIndex(WorkspaceScoped):
    """What the scores of a workspace were computed from, to tell when they are stale: the
    own profile and engine (a change re-scores everything), and the organizations seen
    (newer ids or edits re-score those; a corpus grown or shrunk by a tenth re-weights)."""

    engine = models.CharField(max_length=16, choices=Engine.choices)
    own_id = models.BigIntegerField(null=True)  # our own organization's id
    own_signature = models.CharField(max_length=64)
    organizations = models.PositiveIntegerField(default=0)
    built_with = models.PositiveIntegerField(default=0)  # organizations at the last full build
    max_id = models.BigIntegerField(default=0)
    max_updated_at = models.DateTimeField(null=True)
    # The corpus's term weights at the last full build, kept until it drifts: an edit
    # re-scores one organization without re-reading them all.
    weights = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(auto_now=True)

    DRIFT = 0.1  # the share of organizations added or removed that re-weights everything

    def drifted(self, count: int) -> bool:
        """Whether `count` organizations are too many or too few for the stored weights."""
        return abs(count - self.built_with) > self.DRIFT * max(self.built_with, 10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="partner_index_one_per_workspace")
        ]


class PhraseVector(WorkspaceScoped):
    """The sentence embedding of one phrase (an offer, a need or a mission), keyed by a
    digest of its text: an edited profile brings new phrases, which are embedded then."""

    digest = models.CharField(max_length=64)
    vector = models.BinaryField()  # float32, L2-normalised

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "digest"], name="phrase_vector_unique")
        ]
