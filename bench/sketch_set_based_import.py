"""A measured sketch, not the app's loader: the LinkedIn bench import done set-based.

    python bench/bench_import.py --data-dir /tmp/ftbench          # makes the scratch copy
    python bench/sketch_set_based_import.py [--scratch /tmp/ftbench-import]

`exchange.imports.loader` builds every row in Python and sends it with `executemany`; on the
100,000-row bench file that is ≈ 10.7 s, of which SQLite's own work is ≈ 4.9 s (see
bench/README.md). This sketch asks how fast the same writes can be when Python only
parses: the parsed rows go to a temporary table, and matching (e-mail, then LinkedIn
profile), new organizations, people, relationships, affiliations, contact points, the
undo records of the people it changes and their `updated_at` are each one
`INSERT … SELECT` / `UPDATE` over it, in one transaction — on a copy of the scratch
database, which it leaves behind as `sketch.sqlite3`.

It leaves out what the loader also does (the fuzzy suggestions, name-only matching,
records repeated within the file, tags, notes and field checks, the preview and counts,
PostgreSQL), so it is a lower bound for a set-based loader, and the plan for the next
step of the import's speed work: measured here at ≈ 3.7 s.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW = "2026-11-28 00:00:00"
STAGE = (
    "CREATE TEMP TABLE stage (line INT, first TEXT, last TEXT, email TEXT, email_n TEXT, "
    "url TEXT, profile TEXT, org TEXT, org_l TEXT, role TEXT, connected TEXT, "
    "person_id INT, org_id INT, is_new INT DEFAULT 0)"
)
# The owner of a key: `INDEXED BY`, or SQLite answers min() by walking the person index.
OWNER = (
    "SELECT min(c.person_id) FROM people_contactpoint c INDEXED BY contact_ws_lookup "
    "WHERE c.workspace_id = :ws AND c.kind = '{kind}' AND c.normalized = stage.{column}"
)
LACKS_PROFILE = (
    "NOT EXISTS (SELECT 1 FROM people_contactpoint c WHERE c.person_id = s.person_id "
    "AND c.kind = 'url' AND c.normalized = s.profile)"
)
STEPS = [
    (
        "match by e-mail",
        f"UPDATE stage SET person_id = ({OWNER.format(kind='email', column='email_n')}) "
        "WHERE email_n != ''",
    ),
    (
        "match by profile",
        f"UPDATE stage SET person_id = ({OWNER.format(kind='url', column='profile')}) "
        "WHERE person_id IS NULL AND profile != ''",
    ),
    (
        "new organizations",
        "INSERT INTO people_organization (id, workspace_id, name, mission, offers, needs, "
        "website, feed_url, location, notes, created_at, updated_at) "
        "SELECT :org0 + row_number() OVER (ORDER BY min(line)), :ws, min(org), '', '', '', "
        "'', '', '', '', :now, :now FROM stage "
        "WHERE org != '' AND org_l NOT IN (SELECT l FROM orgs) GROUP BY org_l",
    ),
    ("", "INSERT INTO orgs SELECT lower(name), id FROM people_organization WHERE id > :org0"),
    ("", "UPDATE stage SET org_id = (SELECT id FROM orgs WHERE l = stage.org_l) WHERE org != ''"),
    (
        "new people's ids",
        "CREATE TEMP TABLE newp AS SELECT line, :person0 + row_number() OVER (ORDER BY line) "
        "AS id FROM stage WHERE person_id IS NULL",
    ),
    ("", "CREATE INDEX temp.newp_line ON newp (line)"),
    (
        "",
        "UPDATE stage SET person_id = (SELECT id FROM newp WHERE newp.line = stage.line), "
        "is_new = 1 WHERE person_id IS NULL",
    ),
    ("", "CREATE INDEX temp.stage_person ON stage (person_id)"),
    (
        "people",
        "INSERT INTO people_person (id, workspace_id, first_name, last_name, full_name, "
        "headline, notes, photo, created_at, updated_at) SELECT person_id, :ws, first, last, "
        "trim(first || ' ' || last), role, '', '', :now, :now FROM stage WHERE is_new "
        "ORDER BY person_id",
    ),
    (
        "relationships",
        "INSERT INTO relationships_relationship (workspace_id, person_id, organization_id, "
        "stage, created_at) SELECT :ws, person_id, org_id, 10, :now FROM stage WHERE is_new "
        "ORDER BY person_id",
    ),
    (
        "affiliations",
        "INSERT INTO people_affiliation (workspace_id, person_id, organization_id, role) "
        "SELECT :ws, s.person_id, s.org_id, s.role FROM stage s WHERE s.org_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM people_affiliation a WHERE a.person_id = s.person_id "
        "AND a.organization_id = s.org_id) ORDER BY s.person_id",
    ),
    (
        "e-mails",
        "INSERT INTO people_contactpoint (workspace_id, person_id, kind, value, normalized, "
        "label, position) SELECT :ws, person_id, 'email', email, email_n, '', 0 FROM stage "
        "WHERE is_new AND email_n != '' ORDER BY person_id",
    ),
    (
        "undo records",
        "INSERT INTO exchange_importedobject (workspace_id, batch_id, model, object_id, "
        "created, before) SELECT :ws, :batch, 'people.person', p.id, 0, "
        "json_object('updated_at', p.updated_at) FROM stage s CROSS JOIN people_person p "
        f"ON p.id = s.person_id WHERE NOT s.is_new AND s.profile != '' AND {LACKS_PROFILE}",
    ),
    (
        "profile links",
        "INSERT INTO people_contactpoint (workspace_id, person_id, kind, value, normalized, "
        "label, position, connected_on) SELECT :ws, s.person_id, 'url', s.url, s.profile, "
        f"'', 0, s.connected FROM stage s WHERE s.profile != '' AND {LACKS_PROFILE} "
        "ORDER BY s.person_id",
    ),
    (
        "updated_at",
        "UPDATE people_person SET updated_at = :now "
        "WHERE id IN (SELECT person_id FROM stage WHERE NOT is_new)",
    ),
]


def parsed_rows(path: Path) -> list[tuple]:
    from followthrough.exchange.formats import registry
    from followthrough.people.linkedin import linkedin_canonical

    rows = []
    with path.open("rb") as stream:
        for record in registry.parse("linkedin", stream, registry.ParseOptions()):
            email = record.emails[0].strip() if record.emails else ""
            url = record.external_ids.get("linkedin", "")
            org = record.organization.strip()
            connected = record.connected_on.isoformat() if record.connected_on else None
            rows.append(
                (record.line, record.first_name.strip(), record.last_name.strip(), email,
                 email.lower(), url, linkedin_canonical(url), org, org.lower(),
                 record.role.strip(), connected)
            )  # fmt: skip
    return rows


def run(con: sqlite3.Connection, rows: list[tuple], timings: dict[str, float]) -> None:
    ws = con.execute("SELECT id FROM workspaces_workspace WHERE slug = 'bench'").fetchone()[0]
    con.execute("BEGIN IMMEDIATE")
    started = time.perf_counter()
    batch = con.execute(
        "INSERT INTO exchange_importbatch (workspace_id, format, filename, created_at, status, "
        "counts, error) VALUES (?, 'linkedin', 'Connections.csv', ?, 'running', '{}', '')",
        (ws, NOW),
    ).lastrowid
    con.execute(STAGE)
    con.executemany(f"INSERT INTO stage VALUES ({', '.join('?' * 11)}, NULL, NULL, 0)", rows)
    con.execute(
        "CREATE TEMP TABLE orgs AS SELECT lower(name) AS l, min(id) AS id "
        "FROM people_organization WHERE workspace_id = ? GROUP BY lower(name)",
        (ws,),
    )
    con.execute("CREATE INDEX temp.orgs_l ON orgs (l)")
    timings["staging"] = time.perf_counter() - started
    params = {
        "ws": ws,
        "now": NOW,
        "batch": batch,
        "org0": con.execute("SELECT max(id) FROM people_organization").fetchone()[0],
        "person0": con.execute("SELECT max(id) FROM people_person").fetchone()[0],
    }
    name = "staging"
    for step, sql in STEPS:
        name = step or name
        started = time.perf_counter()
        con.execute(sql, {k: v for k, v in params.items() if f":{k}" in sql})
        timings[name] = timings.get(name, 0) + time.perf_counter() - started
    started = time.perf_counter()
    con.execute("COMMIT")
    timings["commit"] = time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Path(tempfile.gettempdir()) / "ftbench-import"  # where bench_import.py works
    parser.add_argument("--scratch", default=str(default))
    scratch = Path(parser.parse_args().scratch)
    from bench.env import setup_django

    setup_django(str(scratch))
    copy = scratch / "sketch.sqlite3"
    shutil.copyfile(scratch / "base.sqlite3", copy)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    rows = parsed_rows(scratch / "Connections.csv")
    timings["parse"] = time.perf_counter() - started
    con = sqlite3.connect(copy, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                   "mmap_size=268435456", "cache_size=-65536"):  # fmt: skip
        con.execute(f"PRAGMA {pragma}")
    run(con, rows, timings)
    print(f"{len(rows):,} rows, set-based: {sum(timings.values()):.2f} s")
    for name, seconds in timings.items():
        print(f"  {seconds:5.2f} s  {name}")
    tables = ("people_person", "people_contactpoint", "people_affiliation")
    counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]
    print(f"  now {counts[0]:,} people, {counts[1]:,} contact points, {counts[2]:,} affiliations")


if __name__ == "__main__":
    main()
