"""Third-party applications under a name of ours in the admin: django-axes gives its app no
verbose_name (the admin would head its section "AXES" in every language)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录保护")
