"""The full-text index of people and organizations, kept by the database itself.

The index tables are made by migration 0008. The triggers that keep them in step with
every write — forms, importers (raw `executemany`), restore (`bulk_create`), merge, bulk
delete and its undo — are (re)installed after every `migrate` by `install_triggers`,
and dropped before it on SQLite: Django rebuilds a SQLite table to alter it (create a
copy, drop, rename), which silently drops that table's triggers and refuses to rename
while another table's trigger refers to it. After a migration ran, `rebuild` makes the
index again from the rows, so nothing written while the triggers were away is missed.

SQLite (FTS5, `unicode61 remove_diacritics 2`, one small index per table, so a change
rewrites only its own row; the triggers note changes and `catch_up` applies them):
- `people_person_fts` (full_name — with the nickname and the name as written —,
  headline, notes), rowid = person id;
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
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

PG_TABLES = ("people_person_search", "people_organization_search")

# --- SQLite ---------------------------------------------------------------------------

# A trigger that writes an FTS5 table costs ~60 µs a row (FTS5 flushes its pending terms
# at each statement savepoint, so every row becomes a segment to merge): it doubled a
# 100,000-row import. So the triggers only note what changed, in `people_search_stale`
# (a plain table, ~3 µs a row), and `catch_up` rewrites those index rows set-wise
# (~10 µs a row) — called by every search before it reads, and by bulk writers when
# they finish, so that the first search after an import does not pay for it.
STALE = "people_search_stale"


def _note(kind: str, row: str) -> str:
    return f"INSERT OR IGNORE INTO {STALE}(kind, row_id) VALUES ('{kind}', {row});"


def _noting(table: str, kind: str, columns: str = "", key: str = "id") -> dict[str, str]:
    """Triggers on `table` noting (kind, `key`) of each row inserted, deleted or changed
    in `columns` (any column when empty)."""
    update = f"UPDATE OF {columns}" if columns else "UPDATE"
    name = table.removeprefix("people_")
    return {
        f"people_{name}_fts_ai": f"AFTER INSERT ON {table} BEGIN {_note(kind, 'new.' + key)} END",
        f"people_{name}_fts_au": (
            f"AFTER {update} ON {table} BEGIN "
            f"{_note(kind, 'old.' + key)} {_note(kind, 'new.' + key)} END"
        ),
        f"people_{name}_fts_ad": f"AFTER DELETE ON {table} BEGIN {_note(kind, 'old.' + key)} END",
    }


SQLITE_TRIGGERS = {
    **_noting("people_person", "person", "full_name, headline, notes, nickname, formatted_name"),
    **_noting("people_contactpoint", "contact", "value, normalized, kind"),
    **_noting("people_affiliation", "affiliation", "role, ended_on"),
    **_noting("people_organization", "organization", "name, mission, offers, needs, location"),
    **_noting("people_organization_focus_areas", "organization", key="organization_id"),
    "people_tag_fts_au": f"AFTER UPDATE OF name ON people_tag BEGIN {_note('tag', 'new.id')} END",
}

_CONTACT_TEXT = (
    "c.value || CASE WHEN c.kind = 'phone' THEN ' ' || ltrim(c.normalized, '+') || ' ' "
    "|| substr(c.normalized, -10) || ' ' || substr(c.normalized, -7) ELSE '' END"
)


def _stale(kind: str) -> str:
    return f"(SELECT row_id FROM {STALE} WHERE kind = '{kind}')"


_STALE_ORGANIZATIONS = (
    f"(SELECT row_id FROM {STALE} WHERE kind = 'organization' UNION "
    f"SELECT organization_id FROM people_organization_focus_areas WHERE tag_id IN {_stale('tag')})"
)

# (index table, the ids to rewrite, the statement giving their rows) — `{ids}` is a
# subquery, or "everything" when rebuilding.
_SQLITE_INDEXES = (
    (
        "people_person_fts",
        _stale("person"),
        # The names column holds every name they go by: nickname and name as written too.
        """INSERT INTO people_person_fts(rowid, full_name, headline, notes)
           SELECT id, full_name || ' ' || nickname || ' ' || formatted_name, headline, notes
           FROM people_person WHERE {where}""",
        "id",
    ),
    (
        "people_contactpoint_fts",
        _stale("contact"),
        f"""INSERT INTO people_contactpoint_fts(rowid, value)
            SELECT c.id, {_CONTACT_TEXT} FROM people_contactpoint c WHERE {{where}}""",
        "c.id",
    ),
    (
        "people_affiliation_fts",
        _stale("affiliation"),
        """INSERT INTO people_affiliation_fts(rowid, role)
           SELECT id, role FROM people_affiliation WHERE ended_on IS NULL AND {where}""",
        "id",
    ),
    (
        "people_organization_fts",
        _STALE_ORGANIZATIONS,
        """INSERT INTO people_organization_fts
           (rowid, name, focus_areas, mission, offers, needs, location)
           SELECT o.id, o.name,
               coalesce((SELECT group_concat(t.name, ' ') FROM people_organization_focus_areas f
                         JOIN people_tag t ON t.id = f.tag_id WHERE f.organization_id = o.id),
                        ''),
               o.mission, o.offers, o.needs, o.location
           FROM people_organization o WHERE {where}""",
        "o.id",
    ),
)
SQLITE_TABLES = tuple(table for table, *_ in _SQLITE_INDEXES)


def _sqlite_catch_up() -> list[str]:
    statements = []
    for table, ids, insert, key in _SQLITE_INDEXES:
        statements += [
            f"DELETE FROM {table} WHERE rowid IN {ids}",
            insert.format(where=f"{key} IN {ids}"),
        ]
    return [*statements, f"DELETE FROM {STALE}"]


def _sqlite_rebuild() -> list[str]:
    statements = []
    for table, _ids, insert, _key in _SQLITE_INDEXES:
        statements += [f"DELETE FROM {table}", insert.format(where="1")]
    return [*statements, f"DELETE FROM {STALE}"]


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
        people_search_words(concat_ws(' ', p.full_name, p.nickname, p.formatted_name), 'A')
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
        "INSERT OR DELETE OR UPDATE OF full_name, headline, notes, nickname, formatted_name",
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
    tables = (*SQLITE_TABLES, STALE) if connection.vendor == "sqlite" else PG_TABLES
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
        for statement in _sqlite_rebuild() if connection.vendor == "sqlite" else PG_REBUILD:
            cursor.execute(statement)


def catch_up(connection: BaseDatabaseWrapper) -> None:
    """Bring the index up to date with what the triggers noted since (SQLite; on
    PostgreSQL the triggers keep it up to date themselves). One indexed read when
    nothing changed; otherwise ~10 µs a changed row, in one transaction."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STALE})")
        if not cursor.fetchone()[0]:
            return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in _sqlite_catch_up():
            cursor.execute(statement)
