"""A LinkedIn profile is kept once, as the person's link (its normalized value the
canonical profile URL), no longer also as an external id: the link's `connected_on`
takes LinkedIn's "Connected On" date from the external id (0003 drops that column; a
migration of its own, as PostgreSQL will not alter a table in the transaction that
changed its rows)."""

from django.db import migrations

from followthrough.people.linkedin import linkedin_canonical

CHUNK = 2_000


def canonical_links(apps, schema_editor):
    ContactPoint = apps.get_model("people", "ContactPoint")
    links = ContactPoint.objects.filter(kind="url", normalized__icontains="linkedin").order_by("pk")
    changed = []
    for point in links.iterator(chunk_size=CHUNK):
        profile = linkedin_canonical(point.value.strip())
        if profile and profile != point.normalized:
            point.normalized = profile
            changed.append(point)
    ContactPoint.objects.bulk_update(changed, ["normalized"], batch_size=CHUNK)


def identities_to_links(apps, schema_editor):
    ContactPoint = apps.get_model("people", "ContactPoint")
    ExternalId = apps.get_model("exchange", "ExternalId")
    identities = ExternalId.objects.filter(system="linkedin", person__isnull=False).order_by("pk")
    for identity in identities.iterator(chunk_size=CHUNK):
        profile = linkedin_canonical(identity.value) or identity.value.strip().lower()
        links = ContactPoint.objects.filter(
            workspace_id=identity.workspace_id, person_id=identity.person_id, kind="url"
        )
        link = links.filter(normalized=profile).order_by("position", "pk").first()
        if link is None:
            last = links.order_by("-position").values_list("position", flat=True).first()
            ContactPoint.objects.create(
                workspace_id=identity.workspace_id,
                person_id=identity.person_id,
                kind="url",
                value=identity.value,
                normalized=profile,
                position=0 if last is None else last + 1,
                connected_on=identity.connected_on,
            )
        elif link.connected_on is None and identity.connected_on is not None:
            link.connected_on = identity.connected_on
            link.save(update_fields=["connected_on"])
    identities.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0001_initial"),
        ("people", "0005_contactpoint_connected_on"),
    ]

    operations = [
        migrations.RunPython(canonical_links, migrations.RunPython.noop),
        migrations.RunPython(identities_to_links, migrations.RunPython.noop),
    ]
