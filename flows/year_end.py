"""Starting the year-end requests: graduation of a class (毕业) and promotion to middle school (升学).

Each validates every student in a fixed number of queries, refuses with the whole list of what
blocks, then starts its flow through flows.services.request_start.
"""

from __future__ import annotations

import re
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from records import selectors
from records.class_codes import GRADUATING_GRADES
from records.models import GraduationCertificate, Role, SchoolClass, Student

from .models import Graduation, GraduationEntry, Promotion, PromotionEntry, Request, RequestStudent
from .services import Conflict, _require_role, request_start

CERTIFICATE_NUMBER = re.compile(r"^[0-9A-Za-z-]{4,32}$")
PROMOTION_GRADE = 7  # 七年级: the first grade of junior middle school


def _open_requests_of(student_ids) -> dict[int, RequestStudent]:
    return {
        rs.student_id: rs
        for rs in RequestStudent.objects.filter(student_id__in=list(student_ids), open=True).select_related(
            "request", "request__school"
        )
    }


# --- Graduation --------------------------------------------------------------------------------


def certificate_prefix(school_class: SchoolClass, year: int) -> str:
    """毕业证书编号: the bureau's code, the year, then a five-digit sequence (e.g. 330825202500001)."""
    return f"{school_class.school.bureau.code}{year}"


def certificate_numbers_propose(school_class: SchoolClass, year: int, count: int) -> list[str]:
    """The next `count` free numbers of the bureau's pattern, after issued ones and those that
    open requests have proposed."""
    prefix = certificate_prefix(school_class, year)
    pattern = rf"^{prefix}[0-9]{{5}}$"
    highest = [
        GraduationCertificate.objects.filter(number__regex=pattern).aggregate(n=Max("number"))["n"],
        GraduationEntry.objects.filter(
            request__state=Request.State.OPEN, certificate_number__regex=pattern
        ).aggregate(n=Max("certificate_number"))["n"],
    ]
    start = max((int(n[len(prefix):]) for n in highest if n), default=0) + 1
    return [f"{prefix}{n:05d}" for n in range(start, start + count)]


def graduation_roster(school_class: SchoolClass, *, year: int | None = None) -> list[dict]:
    """Every student placed in the class, with what blocks their graduation and a proposed number."""
    year = year or timezone.localdate().year
    students = list(
        Student.objects.filter(placements__school_class=school_class, placements__ended_on__isnull=True).order_by(
            "name", "pk"
        )
    )
    busy = _open_requests_of(s.pk for s in students)
    numbers = iter(certificate_numbers_propose(school_class, year, len(students)))
    rows = []
    for s in students:
        blockers = []
        if s.status != Student.Status.ENROLLED:
            blockers.append(_("学籍状态为“%(status)s”") % {"status": s.get_status_display()})
        if s.pk in busy:
            rs = busy[s.pk]
            blockers.append(
                _("已有办理中的申请（%(kind)s #%(pk)d）") % {"kind": rs.request.get_kind_display(), "pk": rs.request_id}
            )
        rows.append({"student": s, "blockers": blockers, "proposed": next(numbers)})
    return rows


def graduation_start(
    *,
    school_class: SchoolClass,
    by,
    exclude: dict[int, str] | None = None,
    certificates: dict[int, str] | None = None,
    year: int | None = None,
) -> Graduation:
    """Open a graduation request for a graduating class. `exclude`: student id → reason (they stay
    enrolled); `certificates`: student id → number, the proposed number where absent."""
    from .graduation import GraduationFlow

    membership = _require_role(by, Role.REGISTRAR)
    if school_class.school_id != membership.school_id:
        raise PermissionDenied(_("只能为本校班级办理毕业。"))
    if school_class.state != SchoolClass.State.OPEN:
        raise ValidationError({"class_code": _("该班级已不在读。")})
    if school_class.grade not in GRADUATING_GRADES:
        raise ValidationError({"class_code": _("%(grade)s不是毕业年级。") % {"grade": school_class.grade_name}})
    year = year or timezone.localdate().year
    exclude = {int(k): (v or "").strip() for k, v in (exclude or {}).items()}
    certificates = {int(k): (v or "").strip() for k, v in (certificates or {}).items()}
    rows = graduation_roster(school_class, year=year)
    if not rows:
        raise ValidationError({"class_code": _("该班级没有在读学生。")})
    in_class = {row["student"].pk for row in rows}
    errors: dict[str, list[str]] = {}
    strangers = sorted((set(exclude) | set(certificates)) - in_class)
    if strangers:
        errors["exclude"] = [_("学生 %(ids)s 不在本班。") % {"ids": ", ".join(map(str, strangers))}]
    missing_reason = [row["student"].name for row in rows if row["student"].pk in exclude and not exclude[row["student"].pk]]
    if missing_reason:
        errors.setdefault("exclude", []).append(_("请填写不予毕业的原因：%(names)s") % {"names": "、".join(missing_reason)})
    included = [row for row in rows if row["student"].pk not in exclude]
    if not included:
        errors.setdefault("exclude", []).append(_("全班都不予毕业时无需办理毕业。"))
    if errors:
        raise ValidationError(errors)
    blockers = [
        _("%(name)s（%(number)s）：%(why)s") % {"name": r["student"].name, "number": r["student"].student_number, "why": "；".join(r["blockers"])}
        for r in included
        if r["blockers"]
    ]
    if blockers:
        raise Conflict(blockers, code="graduation_blocked")
    numbers = {r["student"].pk: certificates.get(r["student"].pk) or r["proposed"] for r in included}
    _check_numbers(numbers, {r["student"].pk: r["student"] for r in included})
    request = request_start(
        GraduationFlow,
        by=by,
        students=[r["student"] for r in included],
        school=school_class.school,
        school_class=school_class,
        year=year,
        reason=_("%(class)s %(year)d 年毕业，%(n)d 人毕业，%(x)d 人不予毕业")
        % {"class": school_class.name, "year": year, "n": len(included), "x": len(exclude)},
    )
    GraduationEntry.objects.bulk_create(
        [
            GraduationEntry(
                request=request, student=row["student"],
                certificate_number="" if row["student"].pk in exclude else numbers[row["student"].pk],
                excluded=row["student"].pk in exclude, exclude_reason=exclude.get(row["student"].pk, ""),
            )
            for row in rows
        ]
    )
    return request


def _check_numbers(numbers: dict[int, str], students: dict[int, Student]) -> None:
    """Unique system-wide: not issued, not proposed by another open request, not twice here."""
    errors = []
    bad = [students[pk].name for pk, n in numbers.items() if not CERTIFICATE_NUMBER.match(n)]
    if bad:
        errors.append(_("毕业证书编号只能由4至32位数字、字母或“-”组成：%(names)s") % {"names": "、".join(bad)})
    values = list(numbers.values())
    twice = sorted(n for n, times in Counter(values).items() if times > 1)
    if twice:
        errors.append(_("毕业证书编号重复：%(numbers)s") % {"numbers": "、".join(twice)})
    issued = set(GraduationCertificate.objects.filter(number__in=values).values_list("number", flat=True))
    proposed = set(
        GraduationEntry.objects.filter(request__state=Request.State.OPEN, certificate_number__in=values).values_list(
            "certificate_number", flat=True
        )
    )
    if issued | proposed:
        errors.append(_("毕业证书编号已被使用：%(numbers)s") % {"numbers": "、".join(sorted(issued | proposed))})
    if errors:
        raise ValidationError({"certificates": errors})


# --- Promotion to middle school -------------------------------------------------------------------


def promotion_start(*, placements: list[tuple[int, SchoolClass]], by) -> Promotion:
    """A middle-school registrar takes primary graduates of the region into its first-year classes.

    `placements`: (student id, class) pairs. A student already taken by another middle school is
    refused with that school's name; a student outside the region is not found.
    """
    from .promotion import PromotionFlow

    membership = _require_role(by, Role.REGISTRAR)
    school = membership.school
    if PROMOTION_GRADE not in school.grades:
        raise PermissionDenied(_("只有初级中学（或九年一贯制学校）可以办理升学。"))
    if not placements:
        raise ValidationError({"placements": _("请选择升学的学生和编入班级。")})
    ids = [pk for pk, _c in placements]
    if len(set(ids)) != len(ids):
        raise ValidationError({"placements": _("同一学生只能编入一个班级。")})
    errors = []
    for _pk, to_class in placements:
        if to_class.school_id != school.pk or to_class.grade != PROMOTION_GRADE or to_class.state != SchoolClass.State.OPEN:
            errors.append(_("“%(name)s”不是本校在读的七年级班级。") % {"name": to_class.name})
    if errors:
        raise ValidationError({"to_class": sorted(set(errors))})
    visible = {s.pk: s for s in selectors.promotion_region_students(by).filter(pk__in=ids)}
    unknown = [pk for pk in ids if pk not in visible]
    if unknown:
        raise ValidationError({"student": _("没有找到学生 %(ids)s。") % {"ids": ", ".join(map(str, unknown))}}, code="not_found")
    busy = _open_requests_of(ids)
    blockers = []
    for pk in ids:
        student = visible[pk]
        if pk in busy:
            rs = busy[pk]
            if rs.request.kind == Request.Kind.PROMOTION:
                blockers.append(
                    _("%(name)s已被%(school)s选报升学（申请 #%(pk)d）。")
                    % {"name": student.name, "school": rs.request.school.name, "pk": rs.request_id}
                )
            else:
                blockers.append(
                    _("%(name)s已有办理中的申请（%(kind)s #%(pk)d）。")
                    % {"name": student.name, "kind": rs.request.get_kind_display(), "pk": rs.request_id}
                )
        elif student.status == Student.Status.ENROLLED and student.school_id != school.pk:
            blockers.append(_("%(name)s已在%(school)s就读。") % {"name": student.name, "school": student.school.name})
        elif student.status != Student.Status.GRADUATED:
            blockers.append(
                _("%(name)s学籍状态为“%(status)s”，不能升学。") % {"name": student.name, "status": student.get_status_display()}
            )
    if blockers:
        raise Conflict(blockers, code="promotion_blocked")
    request = request_start(
        PromotionFlow,
        by=by,
        students=[visible[pk] for pk in ids],
        school=school,
        reason=_("%(school)s升学编班，%(n)d 人") % {"school": school.name, "n": len(ids)},
    )
    PromotionEntry.objects.bulk_create(
        [PromotionEntry(request=request, student_id=pk, to_class=to_class) for pk, to_class in placements]
    )
    return request

