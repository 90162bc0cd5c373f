from django.urls import path

from followthrough.mail import settings_views, views

app_name = "mail"

urlpatterns = [
    path("people/<int:person_id>/email/", views.compose, name="compose"),
    path("mail/outbox/", views.outbox, name="outbox"),
    path("mail/messages/<int:pk>/retry/", views.message_retry, name="message-retry"),
    path("mail/invitations/<int:pk>/chosen/", views.invitation_confirm, name="invitation-confirm"),
    path("mail/settings/", settings_views.mail_settings, name="settings"),
    path("mail/settings/test/", settings_views.mail_settings_test, name="settings-test"),
    path("mail/profile/", settings_views.sender_profile, name="profile"),
    path("mail/templates/", settings_views.template_list, name="template-list"),
    path("mail/templates/<int:pk>/", settings_views.template_edit, name="template-edit"),
    path("mail/templates/<int:pk>/reset/", settings_views.template_reset, name="template-reset"),
]
