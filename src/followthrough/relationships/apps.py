from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.workspaces.models import Workspace


def _member_removed(workspace: Workspace, user: User, successor: User) -> None:
    """Someone left the workspace: the owner chosen takes over the relationships they
    owned and their open follow-ups (done ones keep who did them)."""
    from followthrough.relationships.models import FollowUp, FollowUpStatus, Relationship

    Relationship.objects.filter(workspace=workspace, owner=user).update(owner=successor)
    FollowUp.objects.filter(
        workspace=workspace, assigned_to=user, status=FollowUpStatus.OPEN
    ).update(assigned_to=successor)


class RelationshipsConfig(AppConfig):
    name = "followthrough.relationships"
    label = "relationships"

    def ready(self) -> None:
        from followthrough.people import registry
        from followthrough.relationships import merge, services
        from followthrough.relationships.models import Relationship
        from followthrough.workspaces.hooks import register_member_removed

        registry.register_merge_policy(Relationship, merge.merge_relationships)
        registry.on_merged(merge.note_merge)
        registry.on_person_added(
            lambda person, organization, owner: services.relationship_start(
                person=person, organization=organization, owner=owner
            )
        )
        registry.on_tags_changed(
            lambda workspace, person_ids: services.relationships_recompute_due(
                workspace=workspace, person_ids=person_ids
            )
        )
        register_member_removed(_member_removed)
