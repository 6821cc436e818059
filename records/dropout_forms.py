"""Forms of the dropout follow-up pages (控辍保学): the list's filters and a follow-up."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.forms import Layout, Row, Span

from .focus_filter import FocusFilterForm
from .forms import ALL, DateInput
from .models import Code, CodeTable, DropoutFollowUp
from .selectors import DEATH_REASON, NOT_FOLLOWED_UP
from .text_lengths import FOLLOW_UP_NOTE_MAX_LENGTH, text_form_field


class DropoutFilterForm(FocusFilterForm):
    reason = forms.ChoiceField(label=_("流失原因"), required=False)
    result = forms.ChoiceField(
        label=_("最近跟踪结果"), required=False,
        choices=[ALL, (NOT_FOLLOWED_UP, _("尚未跟踪")), *DropoutFollowUp.Result.choices],
    )
    q = forms.CharField(label=_("姓名或学籍号"), required=False, max_length=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        reasons = Code.objects.filter(table=CodeTable.DROPOUT_REASON).exclude(code=DEATH_REASON)
        self.fields["reason"].choices = [ALL, *reasons.values_list("code", "name")]
        self.layout = self.layout_of(["region", "school", "reason", "result", "q"])

    def search_arguments(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in ("reason", "result", "q") if cleaned.get(name)}


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(label=_("跟踪日期"), widget=DateInput())
    followed_up_by = forms.CharField(label=_("跟踪人"), max_length=100, help_text=_("实际上门、打电话的人，可填多人。"))
    method = forms.ChoiceField(label=_("跟踪方式"), choices=DropoutFollowUp.Method.choices)
    result = forms.ChoiceField(label=_("跟踪结果"), choices=DropoutFollowUp.Result.choices)
    note = text_form_field(_("情况说明"), FOLLOW_UP_NOTE_MAX_LENGTH, required=False)

    layout = Layout(
        Row(Span("followed_up_on", desktop=3), Span("followed_up_by", desktop=3), Span("method", desktop=3), Span("result", desktop=3)),
        "note",
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"followed_up_on": timezone.localdate(), "followed_up_by": user.get_full_name()})
        super().__init__(*args, **kwargs)
