"""makemessages that also reads the flows' `_lazy` (gettext_lazy imported under that name, beside
`_` for gettext): without it the step titles' entries would be dropped from the catalogue."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
