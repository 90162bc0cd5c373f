from django.urls import path

from followthrough.sequences import views

app_name = "sequences"

urlpatterns = [
    path("sequences/", views.sequence_list, name="sequence-list"),
    path("sequences/new/", views.sequence_new, name="sequence-new"),
    path("sequences/suggested/", views.sequence_suggested, name="sequence-suggested"),
    path("sequences/<int:pk>/", views.sequence_edit, name="sequence-edit"),
    path("sequences/<int:pk>/archive/", views.sequence_archive, name="sequence-archive"),
    path("sequences/<int:pk>/delete/", views.sequence_delete, name="sequence-delete"),
    path("people/<int:person_id>/sequences/start/", views.run_start, name="run-start"),
    path("sequence-runs/<int:pk>/stop/", views.run_stop, name="run-stop"),
]
