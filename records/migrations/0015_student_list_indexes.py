"""The student list's indexes on PostgreSQL (a province holds a million students).

- (school, name in pinyin order, id): the list's order within a school, so that a page, the first
  or one deep in the list (a keyset page), reads its 50 rows in order instead of sorting the province.
- A GIN index over the one- and two-character pieces of the name and former names
  (`xueji_name_grams`): a search for a name of one, two or three characters finds its rows by
  index. pg_trgm cannot serve a search of fewer than three characters, and Chinese names are two
  or three.
- Trigram indexes (pg_trgm) on the student number and the former numbers: a search for part of a
  number (the last digits) by index; a whole number is found on the unique index.

The embedded SQLite database has none of these: its lists are a school's or a county's, and its
searches run as plain filters.
"""

from django.db import migrations

# The characters of the name and former names, and each two characters side by side (some span
# the newline between them, which no search contains). PL/pgSQL: about 3 µs a row, against 14 µs
# for the same in SQL with generate_series, which counts when a page walks the list in order and
# tests each row.
NAME_GRAMS = """
CREATE OR REPLACE FUNCTION xueji_name_grams(name text, former_names text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    DECLARE
        whole text := name || chr(10) || former_names;
        grams text[] := string_to_array(whole, NULL);
    BEGIN
        FOR i IN 1 .. length(whole) - 1 LOOP
            grams := array_append(grams, substr(whole, i, 2));
        END LOOP;
        RETURN grams;
    END
    $$
"""

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    NAME_GRAMS,
    'CREATE INDEX IF NOT EXISTS student_school_pinyin ON records_student (school_id, (name COLLATE "zh-x-icu"), id)',
    "CREATE INDEX IF NOT EXISTS student_name_grams ON records_student USING gin (xueji_name_grams(name, former_names))",
    "CREATE INDEX IF NOT EXISTS student_number_trigrams ON records_student USING gin (student_number gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS student_former_numbers_trigrams ON records_student "
    "USING gin (former_student_numbers gin_trgm_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS student_former_numbers_trigrams",
    "DROP INDEX IF EXISTS student_number_trigrams",
    "DROP INDEX IF EXISTS student_name_grams",
    "DROP INDEX IF EXISTS student_school_pinyin",
    "DROP FUNCTION IF EXISTS xueji_name_grams(text, text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0014_follow_up_note_length_cap")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
