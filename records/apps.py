from importlib import import_module

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from .names import register_sqlite_collation


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("学籍")

    def ready(self):
        # django-axes' signals and our receivers (which call the services) import models: they load
        # once the registry is ready.
        from axes.signals import user_locked_out

        events = import_module("records.auth_events")
        user_locked_out.connect(events.revoke_tokens_on_lockout, dispatch_uid="records.revoke_tokens_on_lockout")
        user_logged_out.connect(events.revoke_tokens_on_logout, dispatch_uid="records.revoke_tokens_on_logout")
        connection_created.connect(register_sqlite_collation, dispatch_uid="records.names.sqlite_collation")
