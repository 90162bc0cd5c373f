from django.contrib import admin

from followthrough.events.models import Attendance, Event, FocusPick


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["person"]
    exclude = ["workspace"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "location", "workspace"]
    list_filter = ["kind", "workspace"]
    search_fields = ["title"]
    raw_id_fields = ["workspace"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline]


@admin.register(FocusPick)
class FocusPickAdmin(admin.ModelAdmin):
    list_display = ["person", "event", "picked_by", "over_limit", "picked_at"]
    list_filter = ["over_limit"]
    raw_id_fields = ["workspace", "event", "person", "picked_by"]
