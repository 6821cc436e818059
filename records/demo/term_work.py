"""The demo teachers' term work: a head count done, one open, grades and comments partly entered."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from .. import selectors, services
from ..models import Level, Term

COMMENT_OPENINGS = (
    "{name}同学上课专心听讲，作业书写工整，",
    "{name}同学热爱集体，乐于帮助同学，",
    "{name}同学思维活跃，发言积极，",
    "{name}同学待人有礼，做事认真负责，",
    "{name}同学本学期进步明显，",
)
COMMENT_WISHES = (
    "希望你多读课外书，新学期更上一层楼。",
    "希望你在计算上更细心一些。",
    "希望你坚持锻炼身体，做一个阳光少年。",
    "老师期待你在课堂上更大胆地表达自己。",
)


def term_work(*, rng: random.Random, today: datetime.date) -> None:
    """The demo teachers' class this term: the start head count done (one pupil was off sick),
    the end check still to do, most of the maths grades entered, a few comments written. The
    other classes have no teacher account and have checked nothing: the lists show them."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["xikou_teacher", "xikou_math"])}
    teacher, math = users.get("xikou_teacher"), users.get("xikou_math")
    if teacher is None or math is None:
        return
    school_class = teacher.membership.school_class
    term = Term.objects.get(bureau=school_class.school.bureau, start__lte=today, end__gte=today)
    roster = list(selectors.class_roster(school_class))
    off_sick = roster[rng.randrange(len(roster))]
    checked_on = timezone.make_aware(datetime.datetime.combine(term.start + datetime.timedelta(days=3), datetime.time(8, 20)))
    services.head_count_confirm(
        school_class=school_class, term=term, point="start", actual_count=len(roster) - 1, missing=[off_sick],
        explanation=f"{off_sick.name}因病请假一周，家长已电话告知班主任。", by=teacher, now=checked_on,
    )
    graded = roster[:-3]
    # About a third 优秀, two fifths 良好, the rest 合格 and one 待合格, in no particular order.
    levels = [Level.PENDING] + [Level.PASS] * (len(graded) // 5)
    levels += [Level.EXCELLENT] * (len(graded) // 3)
    levels += [Level.GOOD] * (len(graded) - len(levels))
    rng.shuffle(levels)
    services.grades_record(
        school_class=school_class, term=term, subject=math.membership.subject, by=math,
        levels={student: str(level.label) for student, level in zip(graded, levels)},
    )
    services.comments_record(
        school_class=school_class, term=term, by=teacher,
        texts={
            student: rng.choice(COMMENT_OPENINGS).format(name=student.name[1:] if len(student.name) > 2 else student.name)
            + rng.choice(COMMENT_WISHES)
            for student in roster[:5]
        },
    )
