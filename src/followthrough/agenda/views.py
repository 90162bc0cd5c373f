from django.http import HttpResponse

from followthrough.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view
def today(request: WorkspaceRequest) -> HttpResponse:
    return HttpResponse("today")
