from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "followthrough.relationships"
    label = "relationships"

    def ready(self) -> None:
        from followthrough.people import registry
        from followthrough.relationships import merge, services
        from followthrough.relationships.models import Relationship

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
