"""Dropout reason 5, 因故丧失学习能力 (policy texts 篇10 三.三): reported with the police station's or
a hospital's proof and approved by the bureau like a death."""

from django.db import migrations

# (table, code, name, sort order): the rows this migration adds to the code tables. The tests put
# them back after a transactional test empties the tables (tests/conftest.py).
ADDED_CODES = [("dropout_reason", "5", "因故丧失学习能力", 4)]


def load(apps, schema_editor):
    Code = apps.get_model("records", "Code")
    for table, code, name, order in ADDED_CODES:
        Code.objects.update_or_create(table=table, code=code, defaults={"name": name, "sort_order": order})
    # 其他 stays last.
    Code.objects.filter(table="dropout_reason", code="9").update(sort_order=5)


def unload(apps, schema_editor):
    Code = apps.get_model("records", "Code")
    for table, code, _name, _order in ADDED_CODES:
        Code.objects.filter(table=table, code=code).delete()
    Code.objects.filter(table="dropout_reason", code="9").update(sort_order=4)


class Migration(migrations.Migration):
    dependencies = [("records", "0005_year_end_certificates_and_rollover")]

    operations = [migrations.RunPython(load, unload)]
