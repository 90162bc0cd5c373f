from django.contrib import admin

from followthrough.relationships.models import FollowUp, Interaction, Relationship


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["person", "stage", "owner", "last_interaction_at", "next_touch_due"]
    list_filter = ["stage", "workspace"]
    raw_id_fields = ["workspace", "person", "organization", "owner"]
    list_select_related = ["person", "owner"]
    show_full_result_count = False


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["kind", "person", "organization", "occurred_at", "summary"]
    list_filter = ["kind", "workspace"]
    raw_id_fields = ["workspace", "person", "organization", "event", "logged_by"]
    list_select_related = ["person", "organization"]
    show_full_result_count = False


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["title", "person", "due_at", "status", "snooze_count"]
    list_filter = ["status", "workspace"]
    raw_id_fields = ["workspace", "person", "event", "focus_pick", "assigned_to"]
    list_select_related = ["person"]
