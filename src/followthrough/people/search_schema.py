"""The full-text index of people and organizations, kept by the database itself.

The index tables are made by migration 0008. The triggers that keep them in step with
every write — forms, importers (raw `executemany`), restore (`bulk_create`), merge, bulk
delete and its undo — are (re)installed after every `migrate` by `install_triggers`,
and dropped before it on SQLite: Django rebuilds a SQLite table to alter it (create a
copy, drop, rename), which silently drops that table's triggers and refuses to rename
while another table's trigger refers to it. After a migration ran, `rebuild` makes the
index again from the rows, so nothing written while the triggers were away is missed.

SQLite (FTS5, `unicode61 remove_diacritics 2`, one small index per table so that each
trigger rewrites only its own row — an import adds people at ~20 µs each):
- `people_person_fts` (full_name, headline, notes), rowid = person id;
- `people_contactpoint_fts` (value, plus a phone's digits and their last 10 and 7),
  rowid = contact point id;
- `people_affiliation_fts` (role) of current affiliations, rowid = affiliation id;
- `people_organization_fts` (name, focus_areas, mission, offers, needs, location),
  rowid = organization id. A person's organizations are matched through it at query
  time, so renaming an organization touches one row.

PostgreSQL: one `tsvector` per person (`people_person_search`) and per organization
(`people_organization_search`), weighted A (names) to D (notes), with GIN indexes,
rewritten by row triggers on every table they are made from.
"""

from __future__ import annotations

# Every statement here is built from constants of this module, never from input.
# ruff: noqa: S608
from django.db.backends.base.base import BaseDatabaseWrapper

SQLITE_TABLES = (
    "people_person_fts",
    "people_contactpoint_fts",
    "people_affiliation_fts",
    "people_organization_fts",
)
PG_TABLES = ("people_person_search", "people_organization_search")

# --- SQLite ---------------------------------------------------------------------------

_CONTACT_TEXT = (
    "{r}.value || CASE WHEN {r}.kind = 'phone' THEN ' ' || ltrim({r}.normalized, '+') || ' ' "
    "|| substr({r}.normalized, -10) || ' ' || substr({r}.normalized, -7) ELSE '' END"
)

_ORG_DOCUMENT = """
INSERT INTO people_organization_fts(rowid, name, focus_areas, mission, offers, needs, location)
SELECT o.id, o.name,
       coalesce((SELECT group_concat(t.name, ' ') FROM people_organization_focus_areas f
                 JOIN people_tag t ON t.id = f.tag_id WHERE f.organization_id = o.id), ''),
       o.mission, o.offers, o.needs, o.location
FROM people_organization o WHERE {where}"""


def _org_refresh(ids: str) -> str:
    """Statements that rewrite the index rows of the organizations `IN {ids}`."""
    delete = f"DELETE FROM people_organization_fts WHERE rowid IN {ids};"
    return delete + _ORG_DOCUMENT.format(where=f"o.id IN {ids}") + ";"


_TAGGED_ORGS = _org_refresh(
    "(SELECT organization_id FROM people_organization_focus_areas WHERE tag_id = new.id)"
)

SQLITE_TRIGGERS = {
    "people_person_fts_ai": """AFTER INSERT ON people_person BEGIN
        INSERT INTO people_person_fts(rowid, full_name, headline, notes)
        VALUES (new.id, new.full_name, new.headline, new.notes); END""",
    "people_person_fts_au": """AFTER UPDATE OF full_name, headline, notes ON people_person BEGIN
        DELETE FROM people_person_fts WHERE rowid = old.id;
        INSERT INTO people_person_fts(rowid, full_name, headline, notes)
        VALUES (new.id, new.full_name, new.headline, new.notes); END""",
    "people_person_fts_ad": """AFTER DELETE ON people_person BEGIN
        DELETE FROM people_person_fts WHERE rowid = old.id; END""",
    "people_contactpoint_fts_ai": f"""AFTER INSERT ON people_contactpoint BEGIN
        INSERT INTO people_contactpoint_fts(rowid, value)
        VALUES (new.id, {_CONTACT_TEXT.format(r="new")}); END""",
    "people_contactpoint_fts_au": f"""AFTER UPDATE OF value, normalized, kind
        ON people_contactpoint BEGIN
        DELETE FROM people_contactpoint_fts WHERE rowid = old.id;
        INSERT INTO people_contactpoint_fts(rowid, value)
        VALUES (new.id, {_CONTACT_TEXT.format(r="new")}); END""",
    "people_contactpoint_fts_ad": """AFTER DELETE ON people_contactpoint BEGIN
        DELETE FROM people_contactpoint_fts WHERE rowid = old.id; END""",
    "people_affiliation_fts_ai": """AFTER INSERT ON people_affiliation
        WHEN new.ended_on IS NULL BEGIN
        INSERT INTO people_affiliation_fts(rowid, role) VALUES (new.id, new.role); END""",
    "people_affiliation_fts_au": """AFTER UPDATE OF role, ended_on ON people_affiliation BEGIN
        DELETE FROM people_affiliation_fts WHERE rowid = old.id;
        INSERT INTO people_affiliation_fts(rowid, role)
        SELECT new.id, new.role WHERE new.ended_on IS NULL; END""",
    "people_affiliation_fts_ad": """AFTER DELETE ON people_affiliation BEGIN
        DELETE FROM people_affiliation_fts WHERE rowid = old.id; END""",
    "people_organization_fts_ai": f"""AFTER INSERT ON people_organization BEGIN
        {_org_refresh("(new.id)")} END""",
    "people_organization_fts_au": f"""AFTER UPDATE OF name, mission, offers, needs, location
        ON people_organization BEGIN {_org_refresh("(new.id)")} END""",
    "people_organization_fts_ad": """AFTER DELETE ON people_organization BEGIN
        DELETE FROM people_organization_fts WHERE rowid = old.id; END""",
    "people_organization_focus_fts_ai": f"""AFTER INSERT ON people_organization_focus_areas
        BEGIN {_org_refresh("(new.organization_id)")} END""",
    "people_organization_focus_fts_ad": f"""AFTER DELETE ON people_organization_focus_areas
        BEGIN {_org_refresh("(old.organization_id)")} END""",
    "people_tag_fts_au": f"""AFTER UPDATE OF name ON people_tag BEGIN
        {_TAGGED_ORGS} END""",
}

SQLITE_REBUILD = (
    *(f"DELETE FROM {table}" for table in SQLITE_TABLES),
    """INSERT INTO people_person_fts(rowid, full_name, headline, notes)
       SELECT id, full_name, headline, notes FROM people_person""",
    f"""INSERT INTO people_contactpoint_fts(rowid, value)
        SELECT c.id, {_CONTACT_TEXT.format(r="c")} FROM people_contactpoint c""",
    """INSERT INTO people_affiliation_fts(rowid, role)
       SELECT id, role FROM people_affiliation WHERE ended_on IS NULL""",
    _ORG_DOCUMENT.format(where="1"),
)

# --- PostgreSQL -------------------------------------------------------------------------

# Words only: the parser would keep "dana@example.org" as one token; split, it matches
# "dana" and "example" as on SQLite. Accents are folded when `unaccent` is installed.
_PG_FOLD = """CREATE OR REPLACE FUNCTION people_search_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT lower({unaccent}(regexp_replace(coalesce(value, ''), '[^[:alnum:]]+', ' ', 'g')))
$$"""

_PG_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION people_search_words(value text, weight "char")
    RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector('simple', people_search_fold(value)), weight) $$""",
    """CREATE OR REPLACE FUNCTION people_person_search_refresh(pid bigint) RETURNS void
    LANGUAGE sql AS $$
    DELETE FROM people_person_search WHERE person_id = pid;
    INSERT INTO people_person_search(person_id, workspace_id, document)
    SELECT p.id, p.workspace_id,
        people_search_words(p.full_name, 'A')
        || people_search_words((SELECT string_agg(o.name, ' ') FROM people_affiliation a
            JOIN people_organization o ON o.id = a.organization_id
            WHERE a.workspace_id = p.workspace_id AND a.person_id = p.id
            AND a.ended_on IS NULL), 'B')
        || people_search_words((SELECT string_agg(c.value || CASE WHEN c.kind = 'phone'
            THEN ' ' || ltrim(c.normalized, '+') || ' ' || right(c.normalized, 10) || ' '
            || right(c.normalized, 7) ELSE '' END, ' ') FROM people_contactpoint c
            WHERE c.workspace_id = p.workspace_id AND c.person_id = p.id), 'B')
        || people_search_words(p.headline || ' ' || coalesce((SELECT string_agg(a.role, ' ')
            FROM people_affiliation a WHERE a.workspace_id = p.workspace_id
            AND a.person_id = p.id AND a.ended_on IS NULL), ''), 'C')
        || people_search_words(p.notes, 'D')
    FROM people_person p WHERE p.id = pid $$""",
    """CREATE OR REPLACE FUNCTION people_organization_search_refresh(oid bigint) RETURNS void
    LANGUAGE sql AS $$
    DELETE FROM people_organization_search WHERE organization_id = oid;
    INSERT INTO people_organization_search(organization_id, workspace_id, document)
    SELECT o.id, o.workspace_id,
        people_search_words(o.name, 'A')
        || people_search_words((SELECT string_agg(t.name, ' ')
            FROM people_organization_focus_areas f JOIN people_tag t ON t.id = f.tag_id
            WHERE f.organization_id = o.id), 'B')
        || people_search_words(concat_ws(' ', o.mission, o.offers, o.needs), 'C')
        || people_search_words(o.location, 'C')
    FROM people_organization o WHERE o.id = oid $$""",
)

# (trigger function, table, events, body) — `NEW`/`OLD` as the operation allows.
_PG_TRIGGERS = {
    "people_person_search_person": (
        "people_person",
        "INSERT OR DELETE OR UPDATE OF full_name, headline, notes",
        "PERFORM people_person_search_refresh(CASE WHEN TG_OP = 'DELETE' THEN OLD.id "
        "ELSE NEW.id END);",
    ),
    "people_person_search_child": (
        "people_contactpoint",
        "INSERT OR DELETE OR UPDATE",
        "IF TG_OP <> 'INSERT' THEN PERFORM people_person_search_refresh(OLD.person_id); "
        "END IF; IF TG_OP <> 'DELETE' THEN "
        "PERFORM people_person_search_refresh(NEW.person_id); END IF;",
    ),
    "people_person_search_affiliation": (
        "people_affiliation",
        "INSERT OR DELETE OR UPDATE",
        "IF TG_OP <> 'INSERT' THEN PERFORM people_person_search_refresh(OLD.person_id); "
        "END IF; IF TG_OP <> 'DELETE' THEN "
        "PERFORM people_person_search_refresh(NEW.person_id); END IF;",
    ),
    "people_organization_search_org": (
        "people_organization",
        "INSERT OR DELETE OR UPDATE OF name, mission, offers, needs, location",
        "IF TG_OP = 'DELETE' THEN PERFORM people_organization_search_refresh(OLD.id); "
        "ELSE PERFORM people_organization_search_refresh(NEW.id); END IF; "
        "IF TG_OP = 'UPDATE' AND NEW.name IS DISTINCT FROM OLD.name THEN "
        "PERFORM people_person_search_refresh(a.person_id) FROM people_affiliation a "
        "WHERE a.workspace_id = NEW.workspace_id AND a.organization_id = NEW.id; END IF;",
    ),
    "people_organization_search_focus": (
        "people_organization_focus_areas",
        "INSERT OR DELETE",
        "PERFORM people_organization_search_refresh(CASE WHEN TG_OP = 'DELETE' "
        "THEN OLD.organization_id ELSE NEW.organization_id END);",
    ),
    "people_organization_search_tag": (
        "people_tag",
        "UPDATE OF name",
        "PERFORM people_organization_search_refresh(f.organization_id) "
        "FROM people_organization_focus_areas f WHERE f.tag_id = NEW.id;",
    ),
}

PG_REBUILD = (
    "DELETE FROM people_person_search",
    "DELETE FROM people_organization_search",
    "DO $$ BEGIN PERFORM people_person_search_refresh(id) FROM people_person; "
    "PERFORM people_organization_search_refresh(id) FROM people_organization; END $$",
)


def _pg_statements(has_unaccent: bool) -> list[str]:
    statements = [_PG_FOLD.format(unaccent="unaccent" if has_unaccent else ""), *_PG_FUNCTIONS]
    for name, (table, events, body) in _PG_TRIGGERS.items():
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    return statements


# --- Installing -------------------------------------------------------------------------


def index_exists(connection: BaseDatabaseWrapper) -> bool:
    """Whether migration 0008 made the index tables on this database."""
    tables = SQLITE_TABLES if connection.vendor == "sqlite" else PG_TABLES
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    return set(tables) <= existing


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    """Remove the SQLite triggers (before `migrate`: see the module's docstring)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the triggers that keep the index in step. Idempotent."""
    if connection.vendor not in ("sqlite", "postgresql") or not index_exists(connection):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
            return
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        for statement in _pg_statements(has_unaccent=cursor.fetchone() is not None):
            cursor.execute(statement)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Make the whole index again from the rows (every workspace). Seconds at 100,000
    people; run after migrations, never on a request."""
    if connection.vendor not in ("sqlite", "postgresql") or not index_exists(connection):
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_REBUILD if connection.vendor == "sqlite" else PG_REBUILD:
            cursor.execute(statement)
