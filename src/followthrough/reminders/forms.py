from __future__ import annotations

from django import forms

from followthrough.reminders.models import DigestSubscription


class DigestForm(forms.ModelForm):
    class Meta:
        model = DigestSubscription
        fields = ["enabled", "weekday", "hour"]
        labels = {
            "enabled": "Send me the weekly digest",
            "weekday": "Day",
            "hour": "Hour",
        }
