from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class PeopleConfig(AppConfig):
    name = "followthrough.people"
    label = "people"

    def ready(self) -> None:
        from followthrough.people import merge, registry
        from followthrough.people.models import (
            Affiliation,
            ContactPoint,
            DismissedDuplicate,
            Person,
            PersonDetail,
        )

        registry.register_merge_policy(Person.tags.through, merge.merge_tags)
        registry.register_merge_policy(ContactPoint, merge.merge_contact_points)
        registry.register_merge_policy(Affiliation, merge.merge_affiliations)
        registry.register_merge_policy(DismissedDuplicate, merge.merge_dismissals)
        registry.register_merge_policy(PersonDetail, merge.merge_details)
        # The search index's triggers live outside the migrations: see people.search_schema.
        pre_migrate.connect(_drop_search_triggers, sender=self)
        post_migrate.connect(_install_search_triggers, sender=self)


def _drop_search_triggers(*, using: str, plan: list | None = None, **kwargs: object) -> None:
    from django.db import connections

    from followthrough.people import search_schema

    if plan:
        search_schema.drop_triggers(connections[using])


def _install_search_triggers(*, using: str, plan: list | None = None, **kwargs: object) -> None:
    from django.db import connections

    from followthrough.people import search_schema

    connection = connections[using]
    search_schema.install_triggers(connection)
    if plan:  # rows may have changed while the triggers were away, or their rules did
        search_schema.rebuild(connection)
