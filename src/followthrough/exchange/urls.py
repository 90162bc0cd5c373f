from django.urls import path

from followthrough.exchange.exports import backup_views
from followthrough.exchange.exports import views as export_views
from followthrough.exchange.imports import views as import_views
from followthrough.exchange.mailbox import views as mail_views

app_name = "exchange"

urlpatterns = [
    path("export/", export_views.export_page, name="export"),
    path("export/people.csv", export_views.export_people_csv, name="export-people-csv"),
    path(
        "export/organizations.csv",
        export_views.export_organizations_csv,
        name="export-organizations-csv",
    ),
    path(
        "export/interactions.csv",
        export_views.export_interactions_csv,
        name="export-interactions-csv",
    ),
    path("export/contacts.vcf", export_views.export_vcard, name="export-vcard"),
    path("export/events.ics", export_views.export_events_ics, name="export-events-ics"),
    path("export/follow-ups.ics", export_views.export_follow_ups_ics, name="export-follow-ups-ics"),
    path("export/backup.json", backup_views.export_backup, name="export-backup"),
    path("export/backup/", backup_views.export_backup_prepare, name="export-backup-prepare"),
    path(
        "export/backup/<str:token>/",
        backup_views.export_backup_file,
        name="export-backup-file",
    ),
    path("import/", import_views.import_page, name="import"),
    path("import/columns/", import_views.import_columns, name="import-columns"),
    path("import/preview/", import_views.import_preview_status, name="import-preview"),
    path("import/run/", import_views.import_run, name="import-run"),
    path("import/mail/", mail_views.import_mail, name="import-mail"),
    path("mailbox/", mail_views.mailbox_settings, name="mailbox"),
    path("mailbox/check/", mail_views.mailbox_check, name="mailbox-check"),
    path("imports/", import_views.import_list, name="import-list"),
    path("imports/<int:pk>/", import_views.import_status, name="import-status"),
    path("imports/<int:pk>/undo/", import_views.import_undo_view, name="import-undo"),
]
