from django.apps import AppConfig


class SequencesConfig(AppConfig):
    name = "followthrough.sequences"
    label = "sequences"
    verbose_name = "Sequences"

    def ready(self) -> None:
        from followthrough.events import hooks as event_hooks
        from followthrough.people import registry
        from followthrough.relationships import hooks
        from followthrough.sequences import merge
        from followthrough.sequences.models import SequenceRun
        from followthrough.sequences.services import runs

        registry.register_merge_policy(SequenceRun, merge.merge_runs)
        hooks.on_follow_ups_done(runs.runs_follow_ups_done)
        hooks.on_follow_ups_reopened(runs.runs_follow_ups_reopened)
        hooks.on_interaction_logged(runs.runs_hear_interaction)
        hooks.on_one_by_one(runs.runs_people_on_a_run)
        event_hooks.on_focus_picked(runs.runs_start_on_focus_pick)
        event_hooks.on_focus_unpicked(runs.runs_drop_on_unpick)
