from django.apps import AppConfig


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
        )

        registry.register_merge_policy(Person.tags.through, merge.merge_tags)
        registry.register_merge_policy(ContactPoint, merge.merge_contact_points)
        registry.register_merge_policy(Affiliation, merge.merge_affiliations)
        registry.register_merge_policy(DismissedDuplicate, merge.merge_dismissals)
