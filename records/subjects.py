"""The subjects of compulsory education (义务教育课程方案（2022年版）): the only subjects a subject
teacher (任课教师) teaches here and the only ones level grades are recorded for.

Arts (艺术) are kept as music and fine art, as schools timetable and staff them apart; 科学 runs
through grade 9 for the provinces (浙江 among them) that teach it whole instead of physics,
chemistry and biology.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    MORALITY = "morality", _("道德与法治")
    CHINESE = "chinese", _("语文")
    MATH = "math", _("数学")
    ENGLISH = "english", _("英语")
    HISTORY = "history", _("历史")
    GEOGRAPHY = "geography", _("地理")
    SCIENCE = "science", _("科学")
    PHYSICS = "physics", _("物理")
    CHEMISTRY = "chemistry", _("化学")
    BIOLOGY = "biology", _("生物学")
    IT = "it", _("信息科技")
    PE = "pe", _("体育与健康")
    MUSIC = "music", _("音乐")
    ART = "art", _("美术")
    LABOUR = "labour", _("劳动")
    PRACTICE = "practice", _("综合实践活动")

    @classmethod
    def parse(cls, text: str) -> Subject | None:
        """A subject by its value ("math") or its Chinese name ("数学", or an older name such as
        "外语", "体育", "信息技术"); None when it is neither."""
        text = (text or "").strip()
        if text in cls.values:
            return cls(text)
        for subject in cls:
            if str(subject.label) == text:
                return subject
        return FORMER_NAMES.get(text)


# Names the subjects went by before the 2022 curriculum, as schools still write them.
FORMER_NAMES = {
    "品德与生活": Subject.MORALITY,
    "品德与社会": Subject.MORALITY,
    "思想品德": Subject.MORALITY,
    "外语": Subject.ENGLISH,
    "生物": Subject.BIOLOGY,
    "信息技术": Subject.IT,
    "体育": Subject.PE,
    "综合实践": Subject.PRACTICE,
}

# The grades each subject is taught in (grades 1–9 of compulsory education).
SUBJECT_GRADES = {
    Subject.MORALITY: range(1, 10),
    Subject.CHINESE: range(1, 10),
    Subject.MATH: range(1, 10),
    Subject.ENGLISH: range(3, 10),
    Subject.HISTORY: range(7, 10),
    Subject.GEOGRAPHY: range(7, 10),
    Subject.SCIENCE: range(1, 10),
    Subject.PHYSICS: range(8, 10),
    Subject.CHEMISTRY: range(9, 10),
    Subject.BIOLOGY: range(7, 10),
    Subject.IT: range(3, 9),
    Subject.PE: range(1, 10),
    Subject.MUSIC: range(1, 10),
    Subject.ART: range(1, 10),
    Subject.LABOUR: range(1, 10),
    Subject.PRACTICE: range(1, 10),
}
COMPULSORY_GRADES = range(1, 10)


def subjects_of_grade(grade: int) -> list[Subject]:
    """The subjects taught in `grade`, in the curriculum's order."""
    return [subject for subject in Subject if grade in SUBJECT_GRADES[subject]]
