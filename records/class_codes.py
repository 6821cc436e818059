"""Class codes: 3-digit grade code + 6-digit school code + 3-digit sequence (e.g. 110100440101)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Grade 1–6 primary (小学), 7–9 junior middle (初中), 10–12 senior high (高中).
GRADE_CODES = {
    1: "110", 2: "120", 3: "130", 4: "140", 5: "150", 6: "160",
    7: "210", 8: "220", 9: "230",
    10: "310", 11: "320", 12: "330",
}
GRADE_NAMES = {
    1: _("一年级"), 2: _("二年级"), 3: _("三年级"), 4: _("四年级"), 5: _("五年级"), 6: _("六年级"),
    7: _("七年级"), 8: _("八年级"), 9: _("九年级"),
    10: _("高一"), 11: _("高二"), 12: _("高三"),
}
GRADE_CHOICES = [(grade, name) for grade, name in GRADE_NAMES.items()]


def stored_grade_name(grade: int) -> str:
    """The grade's name as a class's name holds it (三年级(1)班): in the site's language, whoever
    names the class; the pages show GRADE_NAMES in the reader's."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(GRADE_NAMES[grade])
# The last grade of each stage: its classes graduate instead of moving up.
GRADUATING_GRADES = (6, 9, 12)


def class_code(*, grade: int, school_identifier: str, sequence: int) -> str:
    return f"{GRADE_CODES[grade]}{school_identifier[-6:]}{sequence:03d}"
