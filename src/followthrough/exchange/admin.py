"""Admin views of imports (read-only provenance, with undo), identities and mappings."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from followthrough.exchange.imports.undo import ImportUndoRefused, import_undo
from followthrough.exchange.models import ColumnMapping, ExternalId, ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "format", "filename", "status", "created_by", "created_at", "workspace"]
    list_filter = ["status", "format", "workspace"]
    search_fields = ["filename"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "workspace",
        "format",
        "filename",
        "created_by",
        "created_at",
        "status",
        "counts",
        "error",
        "undone_at",
    ]
    actions = ["undo_imports"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # imports are made by `import_records`, never by hand

    @admin.action(description="Undo the selected imports")
    def undo_imports(self, request: HttpRequest, queryset: QuerySet[ImportBatch]) -> None:
        assert isinstance(request.user, User)  # the admin's views require a staff user
        for batch in queryset.order_by("-created_at"):
            try:
                result = import_undo(batch=batch, actor=request.user)
            except ImportUndoRefused as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, result.summary().capitalize(), messages.SUCCESS)


@admin.register(ExternalId)
class ExternalIdAdmin(admin.ModelAdmin):
    list_display = ["system", "value", "person", "organization", "workspace"]
    list_filter = ["system", "workspace"]
    search_fields = ["value"]
    raw_id_fields = ["workspace", "person", "organization"]


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "created_at"]
    list_filter = ["workspace"]
    raw_id_fields = ["workspace"]
