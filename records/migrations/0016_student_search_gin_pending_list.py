"""The student search's GIN indexes (0015) keep a short pending list.

A GIN index gathers new entries in a pending list (up to 4 MB by default) until VACUUM or the
limit moves them into the index, and every search reads the whole list: right after a bulk intake
a search for one student number read 650 pages of pending entries, 10 ms instead of 0.5 ms
(bench/province.py). At 64 kB, the smallest limit, a search reads a few pages at most, and new
students are still written to the index in batches.
"""

from django.db import migrations

INDEXES = ("student_name_grams", "student_number_trigrams", "student_former_numbers_trigrams")


def _set(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index in INDEXES:
            schema_editor.execute(statement.format(index=index))

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0015_student_list_indexes")]

    operations = [
        migrations.RunPython(
            _set("ALTER INDEX {index} SET (gin_pending_list_limit = 64)"),
            _set("ALTER INDEX {index} RESET (gin_pending_list_limit)"),
            elidable=False,
        )
    ]
