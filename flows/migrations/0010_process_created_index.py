"""An index on viewflow's processes by (created, id), the order of the request list.

A request is a viewflow Process (multi-table inheritance): its `created` is in viewflow_process,
which viewflow owns and Xueji uses unmodified, so the index is created here, by name. Without it,
each page of /requests/ sorted every request the user may see (bench/README.md, request list).
A plain index: both engines read it backwards for newest first."""

from django.db import migrations

INDEX = "flows_process_created_id"


class Migration(migrations.Migration):

    dependencies = [
        ("flows", "0009_text_length_caps"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON viewflow_process (created, id)",
            f"DROP INDEX {INDEX}",
        ),
    ]
