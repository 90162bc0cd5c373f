from django.urls import path

from followthrough.watch import views

app_name = "watch"

urlpatterns = [
    path("around/", views.around, name="around"),
    path("around/<int:pk>/note/", views.item_note, name="item-note"),
    path("around/<int:pk>/follow-up/", views.item_follow_up, name="item-follow-up"),
    path("organizations/<int:pk>/watch/", views.organization_watch, name="watch"),
    path("organizations/<int:pk>/unwatch/", views.organization_unwatch, name="unwatch"),
    path("organizations/<int:pk>/read-now/", views.organization_refresh, name="refresh"),
]
