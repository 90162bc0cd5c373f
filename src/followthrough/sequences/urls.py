from django.urls import URLPattern

app_name = "sequences"

urlpatterns: list[URLPattern] = []
