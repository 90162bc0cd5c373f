from django.urls import path

from followthrough.agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.today, name="today"),
]
