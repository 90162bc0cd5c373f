from django.contrib import admin

from followthrough.people.models import Affiliation, ContactPoint, Organization, Person, Tag


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    exclude = ["workspace"]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    raw_id_fields = ["organization"]
    exclude = ["workspace"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "headline", "workspace", "updated_at"]
    search_fields = ["full_name"]
    list_filter = ["workspace"]
    raw_id_fields = ["workspace"]
    filter_horizontal = ["tags"]
    inlines = [ContactPointInline, AffiliationInline]
    list_select_related = ["workspace"]
    show_full_result_count = False  # a COUNT(*) over 100k rows per page is wasted work


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "location", "workspace"]
    search_fields = ["name"]
    list_filter = ["workspace"]
    raw_id_fields = ["workspace"]
    filter_horizontal = ["focus_areas"]
    list_select_related = ["workspace"]
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "cadence_days", "workspace"]
    search_fields = ["name"]
    list_filter = ["workspace"]
