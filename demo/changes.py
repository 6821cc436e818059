"""The demo's completed status changes in 龙游县, made through the approval flows as the demo's
registrars and officer would, with the follow-ups of the dropouts (控辍保学) and one term report
filed: so that the statistics, the dropout list and the term reports show something.
"""

from __future__ import annotations

import datetime

from flows.dropout import dropout_start
from flows.models import Cause, Evidence
from flows.suspension import suspension_start
from flows.transfer import transfer_start
from flows.transfer_out import transfer_out_start
from records import demo as register
from records import services
from records.models import CodeTable, DropoutFollowUp, School, SchoolClass, Student
from reports.selectors import current_term_name, school_term_period
from reports.services import term_report_submit

from .acting import approve, demo_users, document, guardian_of, pupil

# The demo's people who make the status changes; a name someone else took leaves them out.
ACTORS = ("xikou_registrar", "xikou_office", "shiyan_registrar", "erzhong_registrar", "longyou_officer")


def status_changes(*, today: datetime.date) -> dict[str, Student]:
    """The completed changes; returns the students the requests in motion come back to."""
    users = demo_users(ACTORS)
    if users is None:
        return {}
    registrar, office, officer = users["xikou_registrar"], users["xikou_office"], users["longyou_officer"]
    schools = {demo.key: School.objects.get(identifier=demo.identifier) for demo in register.SCHOOLS}

    def dropout_reason(code):
        return services.code_get(CodeTable.DROPOUT_REASON, code)

    gone_to_work = pupil(schools["xikou"], 5, 0)
    approve(officer, dropout_start(
        student=gone_to_work, by=registrar, reason_code=dropout_reason("2"), remark="随父母外出务工后一直未到校",
    ))
    kept_home = pupil(schools["xikou"], 4, 0)
    approve(officer, dropout_start(
        student=kept_home, by=registrar, reason_code=dropout_reason("1"), remark="家长申请退学，在家照顾老人",
    ))
    # Not from 三年级, whose class is the demo teachers' (its term work counts its size).
    moved_away = pupil(schools["xikou"], 1, 0)
    approve(officer, transfer_out_start(
        student=moved_away, by=registrar, scope="province", destination="江西省上饶市玉山县",
        applicant=guardian_of(moved_away), reason="随父母回户籍地就读",
    ), "已核实村委会、派出所证明")
    ill = pupil(schools["xikou"], 2, 0)
    suspension = suspension_start(
        student=ill, by=registrar, cause=Cause.ILLNESS, applicant=guardian_of(ill), reason="肺炎住院，医嘱休养三个月",
        evidence=[(Evidence.Kind.DIAGNOSIS, document("诊断证明.pdf"))],
    )
    approve(office, suspension, "情况属实")
    approve(officer, suspension)
    moving = pupil(schools["xikou"], 4, 1)
    to_class = (
        SchoolClass.objects.filter(school=schools["shiyan"], grade=4, state=SchoolClass.State.OPEN).order_by("sequence").first()
    )
    # The receiving school starts it with the parent's household register and its acceptance (篇10 三.一.1).
    transfer = transfer_start(
        student=moving, by=users["shiyan_registrar"], to_class=to_class, applicant=guardian_of(moving),
        reason="随父母进城居住",
        evidence=[
            (Evidence.Kind.HOUSEHOLD_REGISTER, document("户口簿.pdf")),
            (Evidence.Kind.ACCEPTANCE, document("接收证明.pdf")),
        ],
    )
    approve(officer, transfer)
    approve(registrar, transfer, "同意转出")
    middle = pupil(schools["erzhong"], 8, 0)
    approve(officer, dropout_start(
        student=middle, by=users["erzhong_registrar"], reason_code=dropout_reason("2"), remark="连续三周未到校，电话无人接听",
    ))

    for student, by, followed_up_by, method, result, note in (
        (gone_to_work, registrar, "徐春燕、班主任", DropoutFollowUp.Method.PHONE, DropoutFollowUp.Result.PERSUADING,
         "家长在杭州务工，答应下月带孩子回来，继续跟进。"),
        (gone_to_work, officer, "郑国强、溪口镇政府", DropoutFollowUp.Method.HOME_VISIT, DropoutFollowUp.Result.PERSUADING,
         "与镇政府、村委会一起上门，祖父母同意劝孩子返校。"),
        (kept_home, registrar, "徐春燕", DropoutFollowUp.Method.HOME_VISIT, DropoutFollowUp.Result.PERSUADING,
         "已向家长讲明义务教育法，家长仍坚持，需镇政府出面。"),
        (moved_away, registrar, "徐春燕", DropoutFollowUp.Method.OTHER_SCHOOL, DropoutFollowUp.Result.STUDYING_ELSEWHERE,
         "玉山县城关小学电话确认该生已入学。"),
    ):
        services.follow_up_add(
            student=student, by=by, followed_up_on=today, followed_up_by=followed_up_by, method=method, result=result,
            note=note,
        )

    # One school has filed its term report already, so the officer sees who has and who has not.
    shiyan = users["shiyan_registrar"]
    term = current_term_name(shiyan, today)
    period = school_term_period(schools["shiyan"], term) if term else None
    if period and today in period:
        term_report_submit(school=schools["shiyan"], term_name=term, by=shiyan, note="本学期转入 1 人")
    return {"gone_to_work": gone_to_work, "ill": ill}
