"""Members' digest preferences are in the workspace's backup; calendar feeds are not."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from followthrough.exchange.backup.writer import BackupError
from followthrough.reminders.models import CalendarFeed, DigestSubscription
from followthrough.reminders.services import calendar_feed_create
from tests.exchange.test_backup import backup_text, restore_text


def test_digest_preferences_survive_a_backup_and_restore(workspace, owner, teammate):
    sent = datetime(2026, 11, 30, 8, tzinfo=UTC)
    DigestSubscription.objects.create(workspace=workspace, user=owner, weekday=4, hour=17,
                                      last_sent_at=sent)  # fmt: skip
    DigestSubscription.objects.create(workspace=workspace, user=teammate, enabled=False)
    calendar_feed_create(workspace=workspace, user=owner)
    text = backup_text(workspace)
    restored = restore_text(text, "restored").workspace
    rows = DigestSubscription.objects.filter(workspace=restored).order_by("user__email")
    assert [(r.user, r.enabled, r.weekday, r.hour, r.last_sent_at) for r in rows] == [
        (owner, True, 4, 17, sent), (teammate, False, 0, 8, None)]  # fmt: skip
    assert not CalendarFeed.objects.filter(workspace=restored).exists()
    assert "token" not in text
    assert backup_text(restored) == text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hour": 24}, "record 1, field hour: Value 24 is not"),
        ({"enabled": "yes"}, "not true or false"),
    ],
)
def test_a_bad_digest_item_is_refused(workspace, owner, change, message):
    DigestSubscription.objects.create(workspace=workspace, user=owner)
    document = json.loads(backup_text(workspace))
    document["digests"][0].update(change)
    with pytest.raises(BackupError, match=message):
        restore_text(json.dumps(document), "restored")
