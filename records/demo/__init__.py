"""Demo data for `make run`: two counties of 浙江省 with their schools, classes and students,
and one login per role.

Everything is made from one seeded random generator, so every load gives the same register.
Classes, students and people go through records.services like any registrar's work, so each
student has a history, a student number and an open placement. Only regions, bureaus and
schools, which no page creates, are written directly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .. import services
from ..models import Role, School, SchoolClass, Student
from .accounts import DEMO_PASSWORD, DEMO_USERS, DemoUser, Login, demo_logins, provision
from .calendar import class_entry_year, demo_terms, school_year_start
from .people import Register
from .places import SCHOOLS, DemoSchool, bureau_name, places
from .term_work import term_work

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SCHOOLS",
    "SEED",
    "DemoSchool",
    "DemoUser",
    "Login",
    "Summary",
    "bureau_name",
    "demo_has_foreign_students",
    "demo_is_loaded",
    "demo_load",
    "demo_logins",
    "demo_terms",
    "school_year_start",
]

SEED = 330825


@dataclass
class Summary:
    regions: int = 0
    schools: int = 0
    classes: int = 0
    students: int = 0
    skipped_users: list[str] = field(default_factory=list)  # names already taken, left alone
    # Last school year's graduating class, still open: demo/ graduates it through the flow.
    graduating_class: SchoolClass | None = None
    # Records of pupils new to the demo teacher's class, for demo/ to enter as registrations (新生建档).
    newcomers: list[tuple[dict, list[dict]]] = field(default_factory=list)


# Where last school year's 六年级 graduated, and how many it had; the newcomers' class.
GRADUATED_SCHOOL = "xikou"
GRADUATED_CLASS_SIZE = 22
NEWCOMERS = 2


def demo_is_loaded() -> bool:
    return School.objects.filter(identifier__in=[school.identifier for school in SCHOOLS]).exists()


def demo_has_foreign_students() -> bool:
    """True when the database holds students that the demo did not make: the demo goes only
    into an empty register."""
    return Student.objects.exclude(school__identifier__in=[school.identifier for school in SCHOOLS]).exists()


@transaction.atomic
def demo_load(*, seed: int = SEED, today: datetime.date | None = None) -> Summary:
    """Load the demo register into an empty database, all or nothing. Call only when
    demo_is_loaded() is False."""
    today = today or timezone.localdate()
    summary = Summary()
    regions, bureaus, schools = places()
    summary.regions, summary.schools = len(regions), len(schools)
    register = Register(seed=seed, today=today)

    classes: dict[str, list[SchoolClass]] = {}
    admin_user = next(user for user in DEMO_USERS if user.role == Role.ADMIN)
    admin = provision(admin_user, schools=schools, bureaus=bureaus, classes=classes, skipped=summary.skipped_users)
    registrars = {
        user.school: provision(user, schools=schools, bureaus=bureaus, classes=classes, skipped=summary.skipped_users, by=admin)
        for user in DEMO_USERS
        if user.role == Role.REGISTRAR
    }

    for demo in SCHOOLS:
        school = schools[demo.key]
        by = registrars.get(demo.key) or admin
        classes[demo.key] = []
        for grade, count in zip(school.grades, demo.classes_per_grade, strict=True):
            entry_year = class_entry_year(school_type=demo.type, grade=grade, school_year=register.school_year)
            for _n in range(count):
                school_class = services.class_create(school=school, grade=grade, entry_year=entry_year, by=by)
                classes[demo.key].append(school_class)
                summary.classes += 1
                for _s in range(register.rng.randint(*demo.size)):
                    data, family = register.student(demo=demo, school_class=school_class)
                    # In the class since they entered it, not since the day the demo is loaded.
                    services.student_register(
                        school_class=school_class, data=data, family_members=family, by=by, placed_on=data["entry_date"]
                    )
                    summary.students += 1

    for user in DEMO_USERS:
        if user.role not in (Role.REGISTRAR, Role.ADMIN):
            provision(user, schools=schools, bureaus=bureaus, classes=classes, skipped=summary.skipped_users, by=admin)

    # The school year's two terms, and a transfer window around the day the demo is loaded, so
    # transfers can be tried on any day.
    terms = demo_terms(today)
    for bureau in bureaus.values():
        services.calendar_replace(
            bureau=bureau,
            terms=terms,
            windows=[{"start": today - datetime.timedelta(days=30), "end": today + datetime.timedelta(days=60)}],
            by=admin,
        )
    term_work(rng=register.rng, today=today)
    summary.graduating_class = _last_years_graduates(
        register, schools=schools, registrars=registrars, admin=admin, summary=summary
    )
    summary.newcomers = _newcomers(register, classes=classes, today=today)
    return summary


def _last_years_graduates(register: Register, *, schools, registrars, admin, summary: Summary) -> SchoolClass:
    """Last school year's 六年级 of GRADUATED_SCHOOL, named by its entry year so it stands beside
    this year's 六年级(1)班, with the pupils who were in it until they graduated."""
    demo = next(demo for demo in SCHOOLS if demo.key == GRADUATED_SCHOOL)
    school = schools[demo.key]
    grade = school.grades[-1]
    entry_year = class_entry_year(school_type=demo.type, grade=grade, school_year=register.school_year) - 1
    by = registrars.get(demo.key) or admin
    school_class = services.class_create(
        school=school, grade=grade, entry_year=entry_year, name=f"{entry_year}级六年级(1)班", by=by
    )
    for _s in range(GRADUATED_CLASS_SIZE):
        data, family = register.student(demo=demo, school_class=school_class)
        services.student_register(
            school_class=school_class, data=data, family_members=family, by=by, placed_on=data["entry_date"]
        )
        summary.students += 1
    summary.classes += 1
    return school_class


def _newcomers(register: Register, *, classes, today: datetime.date) -> list[tuple[dict, list[dict]]]:
    """Pupils joining the demo teacher's class today, not yet in the register."""
    demo = next(demo for demo in SCHOOLS if demo.key == "xikou")
    school_class = next(c for c in classes["xikou"] if c.grade == 3)
    newcomers = []
    for _n in range(NEWCOMERS):
        data, family = register.student(demo=demo, school_class=school_class)
        newcomers.append(({**data, "entry_date": today}, family))
    return newcomers
