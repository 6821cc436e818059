"""How long free text may be, and the refusal that names the field.

Every text a person types has a cap: a reason or a comment is a few sentences, not a book (a
two-million-character note was once stored). The pages' forms and the API's serializers take the
validator; the services check what reaches them by other ways (a page's raw POST, a script).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from rest_framework import serializers

# 申请理由, 理由, 撤销理由: why the parent asks, why the school asks.
REASON_MAX_LENGTH = 1000
# 说明 of a step's decision, of a withdrawal, of a request's close.
COMMENT_MAX_LENGTH = 1000
# 说明 of a poverty status change; 情况说明 of a dropout follow-up.
NOTE_MAX_LENGTH = 500
FOLLOW_UP_NOTE_MAX_LENGTH = 1000


TOO_LONG = gettext_lazy("%(field)s不能超过%(limit_value)d个字（现有%(show_value)d个）。")


def too_long_message(label, limit: int, length: int) -> str:
    return TOO_LONG % {"field": label, "limit_value": limit, "show_value": length}


@deconstructible
class TextLengthValidator(MaxLengthValidator):
    """Django's MaxLengthValidator with a message that names the field (its label)."""

    message = TOO_LONG

    def __init__(self, limit_value: int, label):
        super().__init__(limit_value)
        self.label = label

    def __call__(self, value):
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            raise ValidationError(
                self.message,
                code=self.code,
                params={"field": self.label, "limit_value": self.limit_value, "show_value": length, "value": value},
            )

    def __eq__(self, other):
        return isinstance(other, TextLengthValidator) and (self.limit_value, str(self.label)) == (
            other.limit_value,
            str(other.label),
        )


def text_lengths_check(values: dict[str, tuple[str, object, int]]) -> None:
    """Refuse, naming each field, the values over their caps: {field: (value, label, limit)}."""
    errors = {
        field: too_long_message(label, limit, len(value))
        for field, (value, label, limit) in values.items()
        if isinstance(value, str) and len(value) > limit
    }
    if errors:
        raise ValidationError(errors, code="max_length")


def model_text_lengths_check(model, fields: dict) -> None:
    """The values of `fields` that are text fields of `model` with a max_length, within it."""
    values = {}
    for name, value in fields.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(field, "max_length", None) and isinstance(value, str):
            values[name] = (value, field.verbose_name, field.max_length)
    text_lengths_check(values)


def text_form_field(label, limit: int, *, required: bool = True, rows: int = 3, **kwargs) -> forms.CharField:
    """A page's free-text box, its cap in the help text (viewflow's textarea takes no maxlength)."""
    kwargs.setdefault("help_text", format_lazy(gettext_lazy("不超过{limit}字"), limit=limit))
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[TextLengthValidator(limit, label)],
        **kwargs,
    )


def text_api_field(label, limit: int, **kwargs) -> serializers.CharField:
    """The API's free-text field: the same cap and message as the page's (maxLength in the schema)."""
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(label=label, validators=[TextLengthValidator(limit, label)], **kwargs)
