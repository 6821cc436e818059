from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from .names import register_sqlite_collation


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("学籍")

    def ready(self):
        connection_created.connect(register_sqlite_collation, dispatch_uid="records.names.sqlite_collation")
