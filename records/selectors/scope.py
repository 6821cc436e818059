"""Who sees what: the schools, bureaus, classes and students a user may see, and the people in a role."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Func, OuterRef, Q, QuerySet, Subquery, TextField

from ..models import CLASS_ROLES, Bureau, Membership, Region, Role, School, SchoolClass, Student
from ..names import by_name, name_search_text


def membership_of(user) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def user_sees_everything(user) -> bool:
    membership = membership_of(user)
    return bool(getattr(user, "is_superuser", False) or (membership and membership.role == Role.ADMIN))


# Who reads ID numbers and phone numbers whole; everyone else reads them masked (privacy.py).
IDENTITY_WHOLE_ROLES = frozenset({Role.REGISTRAR, Role.ACADEMIC_OFFICE, Role.PRINCIPAL, Role.BUREAU_OFFICER, Role.ADMIN})


def sees_identity_whole(user) -> bool:
    """Whether `user` reads ID numbers, student numbers and phone numbers whole (privacy.py says why)."""
    if user_sees_everything(user):
        return True
    membership = membership_of(user)
    return bool(membership and membership.role in IDENTITY_WHOLE_ROLES)


def region_q(prefix: str, region) -> Q:
    """The region and every region below it (a city bureau sees its counties' schools)."""
    return Q(**{prefix: region}) | Q(**{f"{prefix}__parent": region}) | Q(**{f"{prefix}__parent__parent": region})


def _region_and_below(region) -> Q:
    """Of regions: `region` (an id, or an expression giving one) and every region below it."""
    return Q(pk=region) | Q(parent=region) | Q(parent__parent=region)


def regions_under(region) -> tuple[int, ...]:
    """The ids of a region and of every region below it (a province has about 110), read in one
    query. A filter on this short list is estimated well by PostgreSQL; the ORed joins of
    `region_q` over a million students are not (bench/README.md, statistics)."""
    ids = Region.objects.filter(_region_and_below(getattr(region, "pk", region)))
    return tuple(sorted(ids.values_list("pk", flat=True)))


def _regions_of_bureau(membership, *, with_schools: bool = False) -> tuple[int, ...]:
    """regions_under the officer's bureau (`with_schools`: only those that have schools), read
    once for the membership (the signed-in user's, so once a request): the list pages call
    several of the *_visible_to below. The bureau's region is read in the same query unless the
    bureau is loaded already.

    The schools' and students' filters take the regions with schools: PostgreSQL estimates an IN
    list as disjoint values only while their shares add up to at most all rows; a province and
    its cities, which hold no schools, tipped it into estimating a third of the students too few."""
    key = "_regions_with_schools" if with_schools else "_regions_under"
    regions = getattr(membership, key, None)
    if regions is None:
        if Membership._meta.get_field("bureau").is_cached(membership):
            region = membership.bureau.region_id
        else:
            region = Subquery(Bureau.objects.filter(pk=membership.bureau_id).values("region_id"))
        if with_schools:
            # Every region with schools, and whether it is the bureau's: one query either way.
            rows = Region.objects.filter(Exists(School.objects.filter(region=OuterRef("pk")))).annotate(
                mine=ExpressionWrapper(_region_and_below(region), output_field=BooleanField())
            )
            found = list(rows.values_list("pk", "mine"))
            regions = tuple(sorted(pk for pk, mine in found if mine))
            membership._sees_every_school = bool(found) and len(regions) == len(found)
        else:
            regions = regions_under(region)
        setattr(membership, key, regions)
    return regions


def bureau_school_regions(membership) -> tuple[tuple[int, ...], bool]:
    """An officer's regions that hold schools (read once for the membership), and whether they
    hold every school there is: then a filter on them keeps every row and is better left out, as
    PostgreSQL estimates an IN list whose shares add up to all rows as independent values (a
    third of a province's students too few, which the student list printed as its 约 total)."""
    regions = _regions_of_bureau(membership, with_schools=True)
    return regions, membership._sees_every_school


def schools_visible_to(user) -> QuerySet[School]:
    schools = School.objects.select_related("region", "bureau")
    if user_sees_everything(user):
        return schools.all()
    membership = membership_of(user)
    if membership is None:
        return schools.none()
    if membership.role == Role.BUREAU_OFFICER:
        return schools.filter(region__in=_regions_of_bureau(membership, with_schools=True))
    return schools.filter(pk=membership.school_id)


def bureaus_visible_to(user) -> QuerySet[Bureau]:
    if user_sees_everything(user):
        return Bureau.objects.all()
    membership = membership_of(user)
    if membership and membership.role == Role.BUREAU_OFFICER:
        return Bureau.objects.filter(region__in=_regions_of_bureau(membership))
    return Bureau.objects.none()


def classes_visible_to(user) -> QuerySet[SchoolClass]:
    classes = SchoolClass.objects.select_related("school")
    membership = membership_of(user)
    if membership and membership.role in CLASS_ROLES:
        return classes.filter(pk=membership.school_class_id)
    return classes.filter(school__in=schools_visible_to(user))


def students_visible_to(user) -> QuerySet[Student]:
    """A school sees the records it holds, a class teacher the class, a bureau its region and below."""
    students = Student.objects.select_related("school", "gender")
    if user_sees_everything(user):
        return students.all()
    membership = membership_of(user)
    if membership is None:
        return students.none()
    if membership.role in CLASS_ROLES:
        return students.filter(
            placements__school_class_id=membership.school_class_id, placements__ended_on__isnull=True
        )
    if membership.role == Role.BUREAU_OFFICER:
        regions, every_school = bureau_school_regions(membership)
        return students.all() if every_school else students.filter(school__region__in=regions)
    return students.filter(school_id=membership.school_id)


# A whole student number: one row of the unique index. Eighteen characters starting with a digit
# are an ID number (or the digits of an L or J number): inside a student number of 19 they can
# only follow its letter, so they are three lookups on the same index.
_WHOLE_NUMBER = re.compile(r"[GLJ][0-9]{17}[0-9X]")
_ID_LAYOUT = re.compile(r"[0-9]{17}[0-9X]")
# Only these can be part of a student number or of the list of former ones.
_NUMBER_CHARACTERS = re.compile(r"[0-9GLJX,]+")


class _NameGrams(Func):
    """The one- and two-character pieces of the name and former names (records migration 0015
    indexes them on PostgreSQL)."""

    function = "xueji_name_grams"
    output_field = ArrayField(TextField())


def _grams_of(text: str) -> list[str]:
    """The pieces every name containing `text` has: `text` itself up to two characters, else
    each two characters of it."""
    if len(text) <= 2:
        return [text]
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def _name_q(students: QuerySet[Student], name: str) -> tuple[QuerySet[Student], Q]:
    """Name or former name contains `name`; on PostgreSQL found by the pieces' index first."""
    text = Q(name__contains=name) | Q(former_names__contains=name)
    if not name or connections[students.db].vendor != "postgresql":
        return students, text
    students = students.alias(name_grams=_NameGrams(F("name"), F("former_names")))
    grams = Q(name_grams__contains=_grams_of(name))
    # Up to two characters the pieces are the condition itself (none spans the name and the
    # former names); without the LIKE beside it PostgreSQL estimates the rows found rightly.
    return students, grams if len(name) <= 2 else grams & text


def _number_q(typed: str) -> Q | None:
    """Student number or a former one contains what was typed (in any case), or None when no
    number can: the numbers are stored in capitals (the model's check), so the capitals typed
    are compared as they are, which the indexes serve."""
    number = typed.upper()
    if not _NUMBER_CHARACTERS.fullmatch(number):
        return None
    former = Q(former_student_numbers__contains=number)
    if _WHOLE_NUMBER.fullmatch(number):
        return Q(student_number=number) | former
    if _ID_LAYOUT.fullmatch(number):
        return Q(student_number__in=[letter + number for letter in "GLJ"]) | former
    return Q(student_number__contains=number) | former


def student_search(
    user,
    *,
    q: str = "",
    school: str = "",
    class_code: str = "",
    status: str = "",
    grade: int | None = None,
) -> QuerySet[Student]:
    """The student list: free text on name or student number, filters on school, class and status.

    Someone who reads ID numbers masked (privacy.sees_identity_whole) searches names only: a
    student number holds the ID number, and finding a student by it would confirm the number.
    The order is the list's: school, name in pinyin order, id (pages.student_list_cursor)."""
    students = students_visible_to(user)
    if q:
        students, text = _name_q(students, name_search_text(q))
        number = _number_q("".join(q.split())) if sees_identity_whole(user) else None
        students = students.filter(text | number if number is not None else text)
    if school:
        students = students.filter(school__identifier=school)
    if class_code:
        students = students.filter(placements__school_class__code=class_code, placements__ended_on__isnull=True)
    if grade:
        students = students.filter(placements__school_class__grade=grade, placements__ended_on__isnull=True)
    if status:
        students = students.filter(status=status)
    return students.order_by("school__identifier", by_name(), "pk")


def student_find_for_transfer_in(*, student_number: str, name: str) -> Student | None:
    """Another school finds a student only by the exact pair of student number and name."""
    return (
        Student.objects.select_related("school")
        .filter(student_number=student_number.strip().upper(), name=name.strip())
        .first()
    )


def users_in_role(role: str, *, school=None, bureau=None):
    """The active accounts of one role at one school, or the officers of one bureau."""
    if (school is None) == (bureau is None):
        raise ValueError("users_in_role needs exactly one of school and bureau.")
    users = get_user_model().objects.filter(is_active=True, membership__role=role)
    if bureau is not None:
        users = users.filter(membership__bureau=bureau)
    else:
        users = users.filter(membership__school=school)
    return users.order_by("pk")


def calendar_editable_by(user, bureau: Bureau) -> bool:
    """A bureau's term calendar is changed by its own officers only."""
    membership = membership_of(user)
    return bool(membership and membership.role == Role.BUREAU_OFFICER and membership.bureau_id == bureau.pk)
