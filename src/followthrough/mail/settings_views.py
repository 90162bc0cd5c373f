"""Mail settings pages: the workspace's SMTP server (owners), each member's sender
profile, and the templates with their editor."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from followthrough.mail import selectors, services
from followthrough.mail.defaults import BY_KEY
from followthrough.mail.forms import EmailTemplateForm, MailSettingsForm, SenderProfileForm
from followthrough.mail.merge import FIELDS, MergeError
from followthrough.mail.models import EmailTemplate
from followthrough.mail.sending import send_test_email
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view
from followthrough.workspaces.responses import see_other


@workspace_view(owner=True)
def mail_settings(request: WorkspaceRequest) -> HttpResponse:
    """The SMTP server. The password field is write-only (never rendered back)."""
    instance = selectors.mail_settings_for(workspace=request.workspace)
    form = MailSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.mail_settings_save(
                settings=form.save(commit=False),
                new_password=form.cleaned_data["new_password"],
                forget_password=form.cleaned_data["forget_password"],
            )
        except services.MailError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved the e-mail settings.")
            return see_other("mail:settings", request.workspace.slug)
    context = {
        "form": form,
        "has_password": bool(instance.password),
        "configured": instance.is_configured,
    }
    return render(request, "mail/settings.html", context, status=400 if form.errors else 200)


@require_POST
@workspace_view(owner=True)
def mail_settings_test(request: WorkspaceRequest) -> HttpResponse:
    """Send a short test e-mail to the owner now, in the request (with the timeout)."""
    error = send_test_email(workspace=request.workspace, to=request.user.email)
    if error:
        messages.error(request, f"The test e-mail could not be sent: {error}")
    else:
        messages.success(request, f"Sent a test e-mail to {request.user.email}.")
    return see_other("mail:settings", request.workspace.slug)


@workspace_view(write=True)
def sender_profile(request: WorkspaceRequest) -> HttpResponse:
    instance = selectors.sender_profile_for(workspace=request.workspace, user=request.user)
    form = SenderProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.sender_profile_save(profile=form.save(commit=False))
        messages.success(request, "Saved your sender profile.")
        return see_other("mail:profile", request.workspace.slug)
    return render(request, "mail/profile.html", {"form": form}, status=400 if form.errors else 200)


@workspace_view
def template_list(request: WorkspaceRequest) -> HttpResponse:
    if request.membership.can_write:
        services.templates_ensure_defaults(workspace=request.workspace)
    context = {"templates": selectors.templates_of(workspace=request.workspace)}
    return render(request, "mail/template_list.html", context)


@workspace_view(write=True)
def template_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Edit a template; an unknown field or a syntax error is a form error."""
    template = get_for_workspace(EmailTemplate, request.workspace, pk=pk)
    form = EmailTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(template=form.save(commit=False))
        except (MergeError, services.MailError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved the template “{template.name}”.")
            return see_other("mail:template-list", request.workspace.slug)
    context = {
        "form": form,
        "template": template,
        "fields": FIELDS,
        "has_default": template.key in BY_KEY,
    }
    return render(request, "mail/template_form.html", context, status=400 if form.errors else 200)


@require_POST
@workspace_view(write=True)
def template_reset(request: WorkspaceRequest, pk: int) -> HttpResponse:
    template = get_for_workspace(EmailTemplate, request.workspace, pk=pk)
    try:
        services.template_reset(template=template)
        messages.success(request, f"“{template.name}” is back to the default.")
    except services.MailError as error:
        messages.error(request, str(error))
    return see_other("mail:template-edit", request.workspace.slug, template.pk)
