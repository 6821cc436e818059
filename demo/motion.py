"""The demo in motion: requests of every kind waiting at different steps, so that each demo account
finds work in its inbox or queue, its request list and its notification centre on first login.

Every request is started and every earlier step decided through the flows, as the demo's people
would on their pages. A few are dated back to when they were started (acting.backdate); the
sweeps beat would run then find them waiting, remind whoever can act, and escalate the overdue
ones to the bureau above, as they would have over those days.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from flows.graduation import graduation_start
from flows.key_info_change import key_info_change_start
from flows.models import Cause, PovertyChange, WorkItem
from flows.poverty import poverty_start
from flows.registration import registration_start
from flows.resumption import resumption_start
from flows.suspension import suspension_start
from flows.transfer import transfer_start
from notifications import sweeps, term_reminders
from records import demo as register
from records.models import School, SchoolClass, Student

from .acting import (
    ACCEPTANCE,
    APPLICATION,
    DIAGNOSIS,
    HOUSEHOLD_REGISTER,
    approve,
    backdate,
    decide,
    demo_users,
    evidence,
    free_pupil,
    guardian_of,
    largest_class,
)

ACTORS = (
    "xikou_registrar", "xikou_office", "xikou_teacher", "xikou_head6", "shiyan_registrar", "erzhong_registrar",
    "hengshan_registrar", "longyou_officer", "wuyi_registrar", "wuyi_officer",
)
# Calendar days since a request was started: past the ten working days a step may wait, so
# overdue and escalated (篇2 第二十三条: 10 个工作日内办结), or a few days, so reminded.
OVERDUE_DAYS = 20
LATE_DAYS = 15
WAITING_DAYS = 5
RECENT_DAYS = 3


def requests_in_motion(*, summary: register.Summary, students: dict[str, Student], today: datetime.date) -> None:
    users = demo_users(ACTORS)
    if users is None:
        return
    schools = {demo.key: School.objects.get(identifier=demo.identifier) for demo in register.SCHOOLS}
    _graduation(users, summary.graduating_class)
    _transfers(users, schools, today=today)
    _suspensions(users, schools)
    _corrections(users, schools, students)
    _registrations(users, summary.newcomers)
    _sweeps(today=today)


def _class(school: School, grade: int, index: int = 0) -> SchoolClass:
    classes = SchoolClass.objects.filter(school=school, grade=grade, state=SchoolClass.State.OPEN)
    return classes.order_by("sequence")[index]


def _graduation(users, school_class: SchoolClass | None) -> None:
    """Last school year's 六年级 graduated through the flow: certificates issued, the class closed."""
    if school_class is None:
        return
    year = school_class.entry_year + len(school_class.school.grades)
    graduation = graduation_start(school_class=school_class, by=users["xikou_registrar"], year=year)
    approve(users["longyou_officer"], graduation)


def _transfers(users, schools, *, today: datetime.date) -> None:
    xikou_registrar, shiyan_registrar = users["xikou_registrar"], users["shiyan_registrar"]
    longyou = users["longyou_officer"]

    # 溪口小学 sends a pupil to 实验小学 (county order); 实验小学 has not confirmed for 15 days:
    # its registrar is reminded and the county bureau told the step is overdue.
    moving = free_pupil(largest_class(schools["xikou"], 5))
    late = transfer_start(
        student=moving, by=xikou_registrar, to_school=schools["shiyan"], applicant=guardian_of(moving),
        reason="父母在县城购房，随迁就读", today=today,
    )
    backdate(late, days=LATE_DAYS)

    # 实验小学 takes in a 东华小学 pupil (national order); the county bureau has let it wait three
    # weeks: the city bureau is told.
    arriving = free_pupil(largest_class(schools["donghua"], 2))
    overdue = transfer_start(
        student=arriving, by=shiyan_registrar, to_class=_class(schools["shiyan"], 2), applicant=guardian_of(arriving),
        reason="家庭搬迁至龙洲街道", evidence=evidence(HOUSEHOLD_REGISTER, ACCEPTANCE), today=today,
    )
    backdate(overdue, days=OVERDUE_DAYS)

    # 实验小学 takes in a 溪口小学 pupil; the bureau approved, 溪口小学 is to release them.
    leaving = free_pupil(largest_class(schools["xikou"], 1))
    release = transfer_start(
        student=leaving, by=shiyan_registrar, to_class=_class(schools["shiyan"], 1), applicant=guardian_of(leaving),
        reason="随父母到县城务工", evidence=evidence(HOUSEHOLD_REGISTER, ACCEPTANCE), today=today,
    )
    approve(longyou, release, "材料齐全，同意转入")
    backdate(release, days=RECENT_DAYS)

    # From 武义县 to 龙游县: a family moving back to 溪口, waiting at 龙游县教育局 (the receiving bureau).
    back_home = free_pupil(largest_class(schools["wuyi_shiyan"], 4))
    transfer_start(
        student=back_home, by=xikou_registrar, to_class=_class(schools["xikou"], 4), applicant=guardian_of(back_home),
        reason="随父母回溪口镇老家居住", evidence=evidence(HOUSEHOLD_REGISTER, ACCEPTANCE), today=today,
    )
    # … one that 龙游县 approved, waiting for 武义县实验小学 to release the pupil …
    to_town = free_pupil(largest_class(schools["wuyi_shiyan"], 5))
    release_wuyi = transfer_start(
        student=to_town, by=shiyan_registrar, to_class=_class(schools["shiyan"], 5), applicant=guardian_of(to_town),
        reason="父亲调至龙游县人民医院工作", evidence=evidence(HOUSEHOLD_REGISTER, ACCEPTANCE), today=today,
    )
    approve(longyou, release_wuyi)
    # … and one 武义县实验小学 sent (county order), confirmed and approved in 龙游县, now at 武义县教育局.
    sent = free_pupil(largest_class(schools["wuyi_shiyan"], 1))
    last_bureau = transfer_start(
        student=sent, by=users["wuyi_registrar"], to_school=schools["shiyan"], applicant=guardian_of(sent),
        reason="母亲在龙游经济开发区就业", today=today,
    )
    approve(shiyan_registrar, last_bureau, "同意接收", data={"to_class": _class(schools["shiyan"], 1)})
    approve(longyou, last_bureau)

    # Between the two junior middle schools: 第二中学 takes one in, approved, 横山初中 is to release
    # them; 横山初中 sends another, 第二中学 is to confirm.
    erzhong = users["erzhong_registrar"]
    to_erzhong = free_pupil(largest_class(schools["hengshan"], 7))
    hengshan_release = transfer_start(
        student=to_erzhong, by=erzhong, to_class=_class(schools["erzhong"], 7), applicant=guardian_of(to_erzhong),
        reason="家庭搬迁至龙洲街道", evidence=evidence(HOUSEHOLD_REGISTER, ACCEPTANCE), today=today,
    )
    approve(longyou, hengshan_release)
    junior = free_pupil(largest_class(schools["hengshan"], 8))
    transfer_start(
        student=junior, by=users["hengshan_registrar"], to_school=schools["erzhong"], applicant=guardian_of(junior),
        reason="家庭搬迁至县城东华街道", today=today,
    )


def _suspensions(users, schools) -> None:
    registrar, office = users["xikou_registrar"], users["xikou_office"]
    # Waiting five days for the academic office's signature: it is reminded.
    ill = free_pupil(largest_class(schools["xikou"], 4))
    waiting = suspension_start(
        student=ill, by=registrar, cause=Cause.ILLNESS, applicant=guardian_of(ill), reason="骨折手术后需卧床休养",
        evidence=evidence(DIAGNOSIS, APPLICATION),
    )
    backdate(waiting, days=WAITING_DAYS)
    # 六年级, a graduating grade: the class teacher and the principal sign too (篇10 五.五).
    sixth = _class(schools["xikou"], 6)
    to_principal = free_pupil(sixth)
    signed = suspension_start(
        student=to_principal, by=registrar, cause=Cause.ILLNESS, applicant=guardian_of(to_principal),
        reason="确诊肾病综合征，需住院治疗", evidence=evidence(DIAGNOSIS),
    )
    approve(office, signed, "情况属实，同意")
    approve(users["xikou_head6"], signed, "已与家长面谈")
    to_teacher = free_pupil(sixth)
    suspension = suspension_start(
        student=to_teacher, by=registrar, cause=Cause.OTHER, applicant=guardian_of(to_teacher),
        reason="随父母出国探亲一学期", evidence=evidence(APPLICATION),
    )
    approve(office, suspension)


def _corrections(users, schools, students) -> None:
    registrar, longyou = users["xikou_registrar"], users["longyou_officer"]
    # A name misspelt at registration, in the demo teacher's class: waiting at the bureau.
    teachers_class = users["xikou_teacher"].membership.school_class
    misspelt = free_pupil(teachers_class)
    middle = "小" if "晓" in misspelt.name else "晓"
    key_info_change_start(
        student=misspelt, by=registrar, changes={"name": misspelt.name[0] + middle + misspelt.name[-1]},
        reason="户口簿姓名与学籍不一致，建档时录入错误", evidence=evidence(HOUSEHOLD_REGISTER),
    )
    # A change of name the bureau refused: the police's certificate of it is missing.
    renamed = free_pupil(largest_class(schools["xikou"], 2))
    refused = key_info_change_start(
        student=renamed, by=registrar, changes={"name": renamed.name[0] + "梓轩"},
        reason="家长已为孩子改名", evidence=evidence(APPLICATION),
    )
    decide(longyou, refused, WorkItem.Decision.REJECT, "仅有家长书面申请，请补充公安机关出具的更名证明和新户口簿")
    # The pupil who went away to work is persuaded back (控辍保学劝返): resumption at the bureau.
    if "gone_to_work" in students:
        returning = Student.objects.get(pk=students["gone_to_work"].pk)
        resumption_start(
            student=returning, by=registrar, applicant=guardian_of(returning),
            reason="经镇村干部和学校多次劝返，家长送孩子回校就读", evidence=evidence(APPLICATION),
        )
    # 第二中学: one 贫困生认定 waiting at the bureau, one refused.
    erzhong = users["erzhong_registrar"]
    poor = free_pupil(largest_class(schools["erzhong"], 7))
    poverty_start(student=poor, by=erzhong, action=PovertyChange.Action.IDENTIFY, note="低保家庭，父亲因病丧失劳动能力")
    not_poor = free_pupil(largest_class(schools["erzhong"], 9))
    refused = poverty_start(student=not_poor, by=erzhong, action=PovertyChange.Action.IDENTIFY, note="家庭收入下降")
    decide(longyou, refused, WorkItem.Decision.REJECT, "未附民政部门低保或特困证明，请补充后重新申请")
    # 武义县: one approved, so the registrar hears it is done.
    wuyi_poor = free_pupil(largest_class(schools["wuyi_shiyan"], 3))
    approve(users["wuyi_officer"], poverty_start(
        student=wuyi_poor, by=users["wuyi_registrar"], action=PovertyChange.Action.IDENTIFY, note="建档立卡低收入农户子女",
    ))


def _registrations(users, newcomers) -> None:
    """The demo teacher enters two pupils new to the class (新生建档): one waits for the academic
    office to verify it, the other was sent back to the teacher to complete."""
    teacher, office = users["xikou_teacher"], users["xikou_office"]
    school_class = teacher.membership.school_class
    for index, (record, family) in enumerate(newcomers):
        registration = registration_start(to_class=school_class, by=teacher, record=record, family=family)
        if index == 1:
            decide(office, registration, WorkItem.Decision.RETURN, "请补充监护人的身份证号码和工作单位")


def _sweeps(*, today: datetime.date) -> None:
    """What beat would have done by now: tell everyone of the steps waiting for them and of the
    requests that ended, remind and escalate the old ones, remind the teachers of this term's work
    and tell the registrars of head counts overdue."""
    sweeps.deliver_missed(now=timezone.now())
    sweeps.remind_pending_tasks(today=today)
    sweeps.escalate_overdue_tasks(today=today)
    term_reminders.remind_term_work_due(today=today)
    term_reminders.report_term_work(today=today)
