"""The full-text index tables of people and organizations (see people.search_schema).

SQLite: FTS5 tables; PostgreSQL: a tsvector per row with a GIN index, and the
`unaccent` extension when the database user may create it. The triggers that fill them
are installed after `migrate` (people.apps), which then builds the index from the rows.
"""

from django.db import migrations

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"

SQLITE_CREATE = [
    # What the triggers noted as changed since the index last caught up.
    "CREATE TABLE people_search_stale (kind TEXT NOT NULL, row_id INTEGER NOT NULL, "
    "PRIMARY KEY (kind, row_id)) WITHOUT ROWID",
    f"CREATE VIRTUAL TABLE people_person_fts USING fts5(full_name, headline, notes, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE people_contactpoint_fts USING fts5(value, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE people_affiliation_fts USING fts5(role, {TOKENIZE})",
    "CREATE VIRTUAL TABLE people_organization_fts USING fts5("
    f"name, focus_areas, mission, offers, needs, location, {TOKENIZE})",
]
# The triggers of people.search_schema (installed after `migrate`) go with their tables.
SQLITE_TRIGGERS = [
    f"people_{name}_fts_{event}"
    for name in ("person", "contactpoint", "affiliation", "organization", "organization_focus_areas")
    for event in ("ai", "au", "ad")
] + ["people_tag_fts_au"]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    "DROP TABLE IF EXISTS people_person_fts",
    "DROP TABLE IF EXISTS people_contactpoint_fts",
    "DROP TABLE IF EXISTS people_affiliation_fts",
    "DROP TABLE IF EXISTS people_organization_fts",
    "DROP TABLE IF EXISTS people_search_stale",
]

PG_CREATE = [
    # Folding accents needs the extension; without the right to create it, search
    # still works, accent-sensitive.
    "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS unaccent; "
    "EXCEPTION WHEN OTHERS THEN NULL; END $$",
    "CREATE TABLE people_person_search (person_id bigint PRIMARY KEY, "
    "workspace_id bigint NOT NULL, document tsvector NOT NULL)",
    "CREATE INDEX people_person_search_document ON people_person_search USING gin (document)",
    "CREATE TABLE people_organization_search (organization_id bigint PRIMARY KEY, "
    "workspace_id bigint NOT NULL, document tsvector NOT NULL)",
    "CREATE INDEX people_organization_search_document ON people_organization_search "
    "USING gin (document)",
]
PG_TRIGGERS = {
    "people_person_search_person": "people_person",
    "people_person_search_child": "people_contactpoint",
    "people_person_search_affiliation": "people_affiliation",
    "people_organization_search_org": "people_organization",
    "people_organization_search_focus": "people_organization_focus_areas",
    "people_organization_search_tag": "people_tag",
}
PG_DROP = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in PG_TRIGGERS.items()] + [
    "DROP TABLE IF EXISTS people_person_search",
    "DROP TABLE IF EXISTS people_organization_search",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0007_organization_updated_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": PG_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": PG_DROP}),
        )
    ]
