from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from followthrough.agenda.getting_started import checklist, checklist_close
from followthrough.agenda.selectors import today_items
from followthrough.outreach.undo import recall
from followthrough.workspaces.access import WorkspaceRequest, workspace_view
from followthrough.workspaces.responses import is_partial, render_page_or_partial, see_other


@workspace_view
def today(request: WorkspaceRequest) -> HttpResponse:
    """Today: what is due, what is slipping, whom to follow up, what is coming; for a new
    team, the getting-started checklist first (whole pages only)."""
    mine = request.GET.get("who") == "mine"
    items = today_items(workspace=request.workspace, owner=request.user if mine else None)
    here = request.get_full_path()
    steps = []
    if not is_partial(request):
        steps = checklist(workspace=request.workspace, membership=request.membership)
    context = {
        "today": items,
        "mine": mine,
        "nav": "today",
        "here": here,
        "here_q": quote(here),
        "answer": recall(request.session),  # the last one-click action's message and Undo
        "getting_started": steps,
        "getting_started_complete": bool(steps) and all(s.done for s in steps),
    }
    return render_page_or_partial(request, "agenda/today.html", "agenda/_today_list.html", context)


@require_POST
@workspace_view(write=True)  # viewers have no checklist to hide
def getting_started_close(request: WorkspaceRequest) -> HttpResponse:
    """Hide the checklist for this member (HTMX: the list goes; else back to Today)."""
    checklist_close(membership=request.membership)
    if is_partial(request):
        return HttpResponse("")
    return see_other("agenda:today", workspace_slug=request.workspace.slug)
