from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

from followthrough.agenda.selectors import today_items
from followthrough.outreach.undo import recall
from followthrough.workspaces.access import WorkspaceRequest, workspace_view
from followthrough.workspaces.responses import render_page_or_partial


@workspace_view
def today(request: WorkspaceRequest) -> HttpResponse:
    """Today: what is due, what is slipping, whom to follow up, what is coming."""
    mine = request.GET.get("who") == "mine"
    items = today_items(workspace=request.workspace, owner=request.user if mine else None)
    here = request.get_full_path()
    context = {
        "today": items,
        "mine": mine,
        "nav": "today",
        "here": here,
        "here_q": quote(here),
        "answer": recall(request.session),  # the last one-click action's message and Undo
    }
    return render_page_or_partial(request, "agenda/today.html", "agenda/_today_list.html", context)
