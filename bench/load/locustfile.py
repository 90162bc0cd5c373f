"""The load run's mixed traffic (bench/bench_load.py starts it): each simulated user is one
member's browser, logged in once, then reading and writing without pause.

Weights: Today 4, the people list 3, a person page 3, a people search 2, creating a
person 1, logging an interaction 1 — about one request in six writes.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from datetime import datetime, timedelta

from locust import HttpUser, constant, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SLUG = os.environ.get("BENCH_SLUG", "bench")
PASSWORD = os.environ["BENCH_PASSWORD"]
EMAILS = itertools.cycle(os.environ["BENCH_EMAILS"].split(","))
PERSON_IDS = [int(i) for i in os.environ["BENCH_PERSON_IDS"].split(",")]
SURNAMES = ["Garcia", "Nguyen", "Smith", "Okafor", "Kowalski", "Haddad"]
counter = itertools.count()


class Member(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="log in (form)")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": next(EMAILS), "password": PASSWORD},
            name="log in",
        )

    def _post(self, path: str, name: str, data: dict) -> None:
        page = self.client.get(path, name=f"{name} (form)")
        found = CSRF.search(page.text)
        if found is None:
            return  # the form page failed: counted as its own failure
        data = {"csrfmiddlewaretoken": found.group(1), **data}
        with self.client.post(
            path, data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in (302, 303):
                response.success()
            else:
                response.failure(f"status {response.status_code}")

    @task(4)
    def today(self) -> None:
        self.client.get(f"/w/{SLUG}/", name="Today")

    @task(3)
    def people(self) -> None:
        self.client.get(f"/w/{SLUG}/people/", name="people list")

    @task(3)
    def person(self) -> None:
        self.client.get(f"/w/{SLUG}/people/{random.choice(PERSON_IDS)}/", name="person page")

    @task(2)
    def search(self) -> None:
        self.client.get(f"/w/{SLUG}/people/?q={random.choice(SURNAMES)}", name="people search")

    @task(1)
    def create_person(self) -> None:
        self._post(
            f"/w/{SLUG}/people/new/",
            "create person",
            {"first_name": "Load", "last_name": f"Run{next(counter)}"},
        )

    @task(1)
    def log_interaction(self) -> None:
        person = random.choice(PERSON_IDS)
        self._post(
            f"/w/{SLUG}/people/{person}/log/",
            "log interaction",
            {
                "kind": "call",
                # Yesterday: never "in the future" in the workspace's own time zone.
                "occurred_at": (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                "summary": "Load run call",
            },
        )
