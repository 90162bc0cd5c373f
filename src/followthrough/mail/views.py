"""Writing to a person (compose, preview, send or open in the member's own mail program),
the outbox with Retry, and "They chose this time" on an invitation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.events.models import Event
from followthrough.mail import selectors, services
from followthrough.mail.forms import ComposeForm
from followthrough.mail.invitations import times_in_words
from followthrough.mail.merge import MergeError, render
from followthrough.mail.models import EmailTemplate, MessageStatus, OutgoingMessage, Purpose
from followthrough.outreach.models import Outreach
from followthrough.people.models import Person
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view
from followthrough.workspaces.responses import render_page_or_partial, see_other


def _chosen_template(request: WorkspaceRequest) -> EmailTemplate:
    services.templates_ensure_defaults(workspace=request.workspace)
    templates = selectors.templates_of(workspace=request.workspace)
    key = request.GET.get("template", "")
    purpose = request.GET.get("purpose", "")
    found = (
        (key and templates.filter(key=key).first())
        or (purpose and templates.filter(purpose=purpose).first())
        or templates.first()
    )
    if found is None:
        raise Http404("No template.")
    return found


def _optional(request: WorkspaceRequest, model: Any, name: str, **lookup: Any) -> Any:
    value = request.GET.get(name, "")
    if not value.isdigit():
        return None
    return get_for_workspace(model, request.workspace, pk=int(value), **lookup)


def _final_body(form: ComposeForm, zone: str) -> str:
    body: str = form.cleaned_data["body"].rstrip()
    if form.coffee and form.proposed_times():
        body += "\n\nTimes I could do (also attached as calendar invitations):\n"
        body += times_in_words(form.proposed_times(), zone)
    return body + "\n"


def _prefilled(
    request: WorkspaceRequest, template: EmailTemplate, fields: dict[str, str]
) -> dict[str, str]:
    """The template filled in for the person; as written when it cannot be (said)."""
    try:
        return {"subject": render(template.subject, fields).strip(),
                "body": render(template.body, fields)}  # fmt: skip
    except MergeError as error:
        messages.error(request, str(error))
        return {"subject": template.subject, "body": template.body}


def _draft(
    form: ComposeForm, body: str, template: EmailTemplate, outreach: Any, to_name: str
) -> services.Draft:
    return services.Draft(
        to_address=form.cleaned_data["to"],
        to_name=to_name,
        subject=form.cleaned_data["subject"],
        body=body,
        template_key=template.key,
        outreach=outreach,
    )


@workspace_view(write=True)
def compose(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Choose a template, edit what it gave, preview it, and send it (over the
    workspace's SMTP server) or open it in your own mail program and log it as sent."""
    workspace = request.workspace
    person = get_for_workspace(Person, workspace, pk=person_id)
    template = _chosen_template(request)
    outreach = _optional(
        request, Outreach.objects.select_related("interaction"), "outreach", person=person
    )
    event = _optional(request, Event, "event")
    profile = selectors.sender_profile_for(workspace=workspace, user=request.user)
    addresses = selectors.email_addresses(person=person)
    coffee = template.purpose == Purpose.COFFEE
    mail_settings = selectors.mail_settings_for(workspace=workspace)
    preview = None
    if request.method == "POST":
        form = ComposeForm(request.POST, addresses=addresses, coffee=coffee)
        action = request.POST.get("action", "preview")
        if form.is_valid():
            body = _final_body(form, workspace.timezone)
            # An imported name may carry a line break: it is a header here, so one line.
            draft = _draft(form, body, template, outreach, " ".join(person.full_name.split()))
            try:
                response = _act(request, person, action, draft, form)
            except services.MailError as error:
                form.add_error(None, str(error))
            else:
                if response is not None:
                    return response
            preview = {
                "subject": draft.subject,
                "body": body,
                "to": draft.to_address,
                "mailto": selectors.mailto_url(
                    to=draft.to_address, subject=draft.subject, body=body
                ),
            }
    else:
        initial = _prefilled(
            request,
            template,
            selectors.merge_fields(
                workspace=workspace, person=person, profile=profile, event=event
            ),
        )
        form = ComposeForm(initial=initial, addresses=addresses, coffee=coffee)
    context = {
        "person": person,
        "form": form,
        "preview": preview,
        "template": template,
        "templates": selectors.templates_of(workspace=workspace),
        "addresses": addresses,
        "mail_settings": mail_settings,
        "sender_name": selectors.sender_name_of(profile),
        "query": request.GET.urlencode(),
        "nav": "people",
    }
    return render_page_or_partial(
        request, "mail/compose.html", "mail/_preview.html", context, target="preview"
    )


def _act(
    request: WorkspaceRequest, person: Person, action: str, draft: services.Draft, form: ComposeForm
) -> HttpResponse | None:
    """Send or log the checked draft and go back to the person; None for a preview."""
    page = reverse("people:person-detail", args=[request.workspace.slug, person.pk])
    if action == "send":
        coffee = (
            services.CoffeeProposal(
                form.proposed_times(), form.cleaned_data["minutes"], form.cleaned_data["place"]
            )
            if form.coffee
            else None
        )
        services.message_queue(person=person, sender=request.user, draft=draft, coffee=coffee)
        messages.success(request, f"Sending “{draft.subject}” to {draft.to_address}.")
        return see_other(page)
    if action == "log":
        services.mail_log_as_sent(person=person, actor=request.user, subject=draft.subject)
        messages.success(request, f"Logged “{draft.subject}” as sent: waiting for a reply.")
        return see_other(page)
    return None  # a preview: the page shows the message as it will go out


@workspace_view
def outbox(request: WorkspaceRequest) -> HttpResponse:
    """Messages queued, being sent or failed, with Retry on the failed ones."""
    context = {"rows": selectors.outbox(workspace=request.workspace), "nav": "people"}
    return render_page_or_partial(request, "mail/outbox.html", "mail/_outbox.html", context)


@require_POST
@workspace_view(write=True)
def message_retry(request: WorkspaceRequest, pk: int) -> HttpResponse:
    message = get_for_workspace(OutgoingMessage, request.workspace, pk=pk)
    try:
        services.message_retry(message=message)
        messages.success(request, f"Sending “{message.subject}” again.")
    except services.MailError as error:
        messages.error(request, str(error))
    if request.POST.get("back") == "person":
        return see_other("people:person-detail", request.workspace.slug, message.person_id)
    return see_other("mail:outbox", request.workspace.slug)


@require_POST
@workspace_view(write=True)
def invitation_confirm(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """They chose one of the invitation's times: it becomes a meeting."""
    message = get_for_workspace(
        OutgoingMessage.objects.select_related("person"),
        request.workspace,
        pk=pk,
        status=MessageStatus.SENT,
    )
    proposals = selectors.proposals_of(message)
    choice = request.POST.get("proposal", "")
    if not choice.isdigit() or int(choice) >= len(proposals):
        raise Http404("No such proposed time.")
    try:
        services.invitation_confirm(
            message=message, proposal=proposals[int(choice)], actor=request.user
        )
        messages.success(request, f"Coffee with {message.person.full_name} is on the calendar.")
    except services.MailError as error:
        messages.error(request, str(error))
    return see_other("people:person-detail", request.workspace.slug, message.person_id)
