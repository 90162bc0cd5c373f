from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import render

from followthrough.agenda.selectors import today_items
from followthrough.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view
def today(request: WorkspaceRequest) -> HttpResponse:
    """Today: what is due, what is slipping, whom to follow up, what is coming."""
    mine = request.GET.get("who") == "mine"
    items = today_items(workspace=request.workspace, owner=request.user if mine else None)
    here = request.get_full_path()
    context = {"today": items, "mine": mine, "nav": "today", "here": here, "here_q": quote(here)}
    template = "agenda/_today_list.html" if request.htmx else "agenda/today.html"
    return render(request, template, context)
