"""The forms of a bureau's calendar page: its terms and its transfer windows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import DateInput

DATE = DateInput()


class TermForm(forms.Form):
    name = forms.CharField(label=_("学期名称"), max_length=50)
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)


class WindowForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)


TermFormSet = forms.formset_factory(TermForm, extra=1, can_delete=True)
WindowFormSet = forms.formset_factory(WindowForm, extra=1, can_delete=True)


def calendar_formsets(bureau, data=None):
    terms = TermFormSet(
        data, prefix="terms", initial=[{"name": t.name, "start": t.start, "end": t.end} for t in bureau.terms.all()]
    )
    windows = WindowFormSet(
        data, prefix="windows", initial=[{"start": w.start, "end": w.end} for w in bureau.transfer_windows.all()]
    )
    return terms, windows
