from django.urls import path

from followthrough.agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.today, name="today"),
    path("getting-started/close/", views.getting_started_close, name="getting-started-close"),
]
