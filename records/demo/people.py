"""The demo's students and their families, made from one seeded random generator."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from ..id_numbers import check_character
from ..models import Code, CodeTable, School, SchoolClass
from .calendar import school_year_start
from .names import (
    BOY_NAMES,
    BOY_SINGLE,
    FATHER_NAMES,
    GIRL_NAMES,
    GIRL_SINGLE,
    GRANDFATHER_NAMES,
    GRANDMOTHER_NAMES,
    MOTHER_NAMES,
    SHE_SURNAMES,
    SURNAMES,
)
from .places import AWAY_WORK, COUNTIES, HOMETOWNS, LOCAL_WORK, MIGRANT_WORK, County, DemoSchool, Town


class Register:
    """Makes students for one class after another, never repeating an ID number or a
    name with the same birth date (that would flag a possible duplicate)."""

    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)
        self.school_year = school_year_start(today)
        self.codes = {(code.table, code.code): code for code in Code.objects.all()}
        self.id_numbers: set[str] = set()
        self.identities: set[tuple[str, str, datetime.date]] = set()
        self.phones: set[str] = set()

    def code(self, table: CodeTable, value: str) -> Code:
        return self.codes[(table, value)]

    # People and numbers

    def surname(self, *, she: bool = False) -> str:
        if she:
            return self.rng.choice(SHE_SURNAMES)
        return self.rng.choices(list(SURNAMES), weights=list(SURNAMES.values()))[0]

    def child_given_name(self, male: bool) -> str:
        single, double = (BOY_SINGLE, BOY_NAMES) if male else (GIRL_SINGLE, GIRL_NAMES)
        return self.rng.choice(single if self.rng.random() < 0.2 else double)

    def citizen_id(self, *, area: str, birth_date: datetime.date, male: bool) -> str:
        while True:
            # The 17th digit is odd for a man, even for a woman (GB 11643).
            sequence = self.rng.randrange(100) * 10 + self.rng.randrange(0, 10, 2) + (1 if male else 0)
            first17 = f"{area}{birth_date:%Y%m%d}{sequence:03d}"
            number = first17 + check_character(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(("13", "15", "18", "17", "19")) + "".join(
                self.rng.choices("0123456789", k=9)
            )
            if number not in self.phones:
                self.phones.add(number)
                return number

    def birth_date(self, *, entry: int) -> datetime.date:
        # Six by 31 August of the year of entering first grade (`entry`); one in twenty a year older.
        first = datetime.date(entry - 7, 9, 1)
        if self.rng.random() < 0.05:
            first = first.replace(year=first.year - 1)
        return first + datetime.timedelta(days=self.rng.randrange(365))

    def address(self, county: County, town: Town) -> tuple[str, str]:
        """(the village, street or estate; the full address), both from the town on."""
        rng = self.rng
        if town.urban and rng.random() < 0.5:
            locality = town.name + rng.choice(county.estates)
            room = f"{rng.randint(1, 30)}幢{rng.randint(1, 3)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
            return locality, locality + room
        locality = town.name + rng.choice(town.places)
        return locality, f"{locality}{rng.randint(1, 300 if town.urban else 180)}号"

    # One student

    def student(self, *, demo: DemoSchool, school_class: SchoolClass) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A student who has been in `school_class` (or in its earlier grades) since the class entered."""
        rng = self.rng
        first_grade = School.GRADES[demo.type][0]
        entry_year = school_class.entry_year
        primary_entry = entry_year - (first_grade - 1)  # the year they started first grade
        county = COUNTIES[demo.county]
        town = county.towns[rng.choice(demo.towns)]
        migrant = rng.random() < demo.migrant_share
        left_behind = not migrant and rng.random() < demo.left_behind_share
        she = not migrant and rng.random() < town.she_share

        male = rng.random() < 0.52
        while True:
            birth_date = self.birth_date(entry=primary_entry)
            family_name = self.surname(she=she)
            name = family_name + self.child_given_name(male)
            identity = (name, "1" if male else "2", birth_date)
            if identity not in self.identities:
                self.identities.add(identity)
                break

        ethnicity = "22" if she else "01"  # 22 畲族, 01 汉族
        if migrant:
            area, home, ethnicities = rng.choice(HOMETOWNS)
            if ethnicities and rng.random() < 0.4:
                ethnicity = rng.choice(ethnicities)
            household_place = home
            household_type = "1"
        else:
            area = rng.choice(county.neighbours) if rng.random() < 0.08 else county.code
            household_place = None  # the home address, below
            household_type = "2" if town.urban and rng.random() < 0.5 else ("3" if rng.random() < 0.3 else "1")

        locality, home_address = self.address(county, town)
        if household_place is None:
            household_place = county.prefix + locality

        # A few children have no citizen ID yet: a J number (no usable ID) or, with a
        # Hong Kong or Taiwan document, an L number until the duplicate check.
        id_type, id_number, nationality, overseas = "1", "", "156", "00"
        roll = rng.random()
        if roll < 0.003:
            id_type = "Z"
        elif roll < 0.005:
            id_type, nationality, overseas = "6", "344", "01"
            id_number = f"H{rng.randrange(10**8):08d}"
        elif roll < 0.006:
            id_type, nationality, overseas = "8", "158", "03"
            id_number = f"{rng.randrange(10**8):08d}"
        if id_type == "1":
            id_number = self.citizen_id(area=area, birth_date=birth_date, male=male)

        transferred_in = school_class.grade > first_grade and rng.random() < 0.04
        if transferred_in:
            entry_way = "5"  # 转入
            last_year_in = entry_year + school_class.grade - first_grade
            entry_date = datetime.date(rng.randint(entry_year + 1, last_year_in), rng.choice((2, 9)), 1)
        else:
            entry_way = rng.choices(("1", "2"), weights=(85, 15))[0]
            entry_date = datetime.date(entry_year, 9, 1)

        disability = "0"
        student_type, health = "1", ("1" if rng.random() < 0.95 else "2")
        if rng.random() < 0.006:
            # 随班就读: a child with a disability learning in an ordinary class.
            student_type, health, disability = "2", "6", rng.choice(("2", "4", "5"))

        rural = not town.urban
        distance = Decimal(f"{rng.uniform(0.5, 9.0) if rural else rng.uniform(0.3, 3.5):.1f}")
        boarding = demo.type == School.Type.JUNIOR and rural and distance > 5 and rng.random() < 0.6
        if distance > 4 and rural and not boarding:
            transport = rng.choice(("4", "3"))
        elif distance < 1.5:
            transport = "0"
        else:
            transport = rng.choice(("1", "3", "0"))

        family = self.family(
            family_name=family_name, birth_date=birth_date, county=county, home_address=home_address,
            household_place=household_place, migrant=migrant, left_behind=left_behind,
            area=area if migrant else county.code, ethnicity=ethnicity,
        )
        left_behind_code = "1"
        if left_behind:
            left_behind_code = "3" if family[0]["relationship"].code in ("3", "4", "5", "6") else "2"

        c = self.code
        data = {
            "name": name,
            "gender": c(CodeTable.GENDER, "1" if male else "2"),
            "birth_date": birth_date,
            "birthplace": household_place if migrant else county.prefix,
            "native_place": household_place if migrant else county.prefix,
            "ethnicity": c(CodeTable.ETHNICITY, ethnicity),
            "nationality": c(CodeTable.NATIONALITY, nationality),
            "id_type": c(CodeTable.ID_TYPE, id_type),
            "id_number": id_number,
            "overseas_chinese": c(CodeTable.OVERSEAS, overseas),
            "health": c(CodeTable.HEALTH, health),
            "household_place": household_place,
            "household_type": c(CodeTable.HOUSEHOLD_TYPE, household_type),
            "entry_date": entry_date,
            "entry_way": c(CodeTable.ENTRY_WAY, entry_way),
            "study_mode": c(CodeTable.STUDY_MODE, "2" if boarding else "1"),
            "current_address": county.prefix + home_address,
            "home_address": county.prefix + home_address,
            "contact_phone": family[0]["phone"],
            "postal_code": county.postal_code,
            "student_type": c(CodeTable.STUDENT_TYPE, student_type),
            "disability_type": c(CodeTable.DISABILITY, disability),
            "only_child": rng.random() < (0.45 if town.urban else 0.2),
            "preschool": rng.random() < 0.97,
            "left_behind": c(CodeTable.LEFT_BEHIND, left_behind_code),
            "migrant_worker_child": migrant,
            "needs_aid": rng.random() < 0.04,
            "distance_km": distance,
            "transport": c(CodeTable.TRANSPORT, transport),
            "school_bus": transport == "4",
        }
        return data, family

    def family(
        self, *, family_name: str, birth_date: datetime.date, county: County, home_address: str,
        household_place: str, migrant: bool, left_behind: bool, area: str, ethnicity: str,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        address = county.prefix + home_address
        year = birth_date.year
        local_work = LOCAL_WORK + county.employers

        def member(relationship: str, name: str, *, male: bool, born: int, work: str) -> dict[str, Any]:
            has_id = rng.random() < 0.7
            born_on = datetime.date(born, rng.randint(1, 12), rng.randint(1, 28))
            return {
                "name": name,
                "relationship": self.code(CodeTable.RELATIONSHIP, relationship),
                "is_guardian": True,
                "ethnicity": self.code(CodeTable.ETHNICITY, ethnicity),
                "work_unit": work,
                "address": address,
                "household_place": household_place,
                "phone": self.phone(),
                "id_type": self.code(CodeTable.ID_TYPE, "1") if has_id else None,
                "id_number": self.citizen_id(area=area, birth_date=born_on, male=male) if has_id else "",
            }

        father_born = year - rng.randint(25, 38)
        mother_born = year - rng.randint(23, 35)

        def father(work: str) -> dict[str, Any]:
            return member("1", family_name + rng.choice(FATHER_NAMES), male=True, born=father_born, work=work)

        def mother(work: str) -> dict[str, Any]:
            return member("2", self.surname() + rng.choice(MOTHER_NAMES), male=False, born=mother_born, work=work)

        if left_behind:
            away = rng.choice(AWAY_WORK)
            if rng.random() < 0.6:
                # Both parents work away: a grandparent looks after the child (双亲留守).
                relationship = rng.choice(("3", "4", "4", "5", "6"))
                grandfather = relationship in ("3", "5")
                # Only the paternal grandfather shares the child's surname; women keep their own.
                surname = family_name if relationship == "3" else self.surname()
                given = rng.choice(GRANDFATHER_NAMES if grandfather else GRANDMOTHER_NAMES)
                carer = member(
                    relationship, surname + given, male=grandfather,
                    born=father_born - rng.randint(22, 30), work="务农",
                )
                return [carer, father(away)]
            # One parent works away, the other stays (单亲留守).
            return [mother(rng.choice(local_work)), father(away)]
        work = MIGRANT_WORK if migrant else local_work
        if rng.random() < 0.1:
            return [mother(rng.choice(work))]  # one family member is enough if a guardian
        parents = [father(rng.choice(work)), mother(rng.choice(work))]
        return parents if rng.random() < 0.6 else parents[::-1]
