"""Demo data for `make run`: two counties of 浙江省 with their schools, classes and students,
and one login per role.

Everything is made from one seeded random generator, so every load gives the same register.
Classes, students and people go through records.services like any registrar's work, so each
student has a history, a student number and an open placement. Only regions, bureaus and
schools, which no page creates, are written directly.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .id_numbers import check_character
from .models import Bureau, Code, CodeTable, Membership, Region, Role, School, SchoolClass, Student

DEMO_PASSWORD = "Xueji-2026!demo"
SEED = 330825

# --- Places -----------------------------------------------------------------------------------

# GB/T 2260: code, name, level, parent code.
REGIONS = (
    ("330000", "浙江省", Region.Level.PROVINCE, None),
    ("330800", "衢州市", Region.Level.CITY, "330000"),
    ("330825", "龙游县", Region.Level.COUNTY, "330800"),
    ("330700", "金华市", Region.Level.CITY, "330000"),
    ("330723", "武义县", Region.Level.COUNTY, "330700"),
)
BUREAU_NAMES = {"330000": "浙江省教育厅"}  # otherwise the region's name + 教育局


@dataclass(frozen=True)
class Town:
    name: str
    places: tuple[str, ...]  # villages (村) or, in a town centre, streets (路)
    urban: bool = False
    she_share: float = 0.0  # 畲族 share in the ethnic townships


@dataclass(frozen=True)
class County:
    code: str
    prefix: str  # 浙江省衢州市龙游县
    postal_code: str
    towns: dict[str, Town]
    # Counties next door: some children were born or first registered there.
    neighbours: tuple[str, ...]
    estates: tuple[str, ...]  # housing estates (小区) in the county town
    employers: tuple[str, ...]  # local work besides LOCAL_WORK


def _towns(*towns: Town) -> dict[str, Town]:
    return {town.name: town for town in towns}


LONGYOU = County(
    code="330825",
    prefix="浙江省衢州市龙游县",
    postal_code="324400",
    towns=_towns(
        Town("龙洲街道", ("荣昌路", "太平东路", "文化路", "新华路", "龙翔路", "西门街"), urban=True),
        Town("东华街道", ("东华路", "兴业路", "城东路", "凤翔路"), urban=True),
        Town("溪口镇", ("溪口村", "灵山村", "塘下村", "上溪村", "社里村", "东坑村")),
        Town("湖镇镇", ("湖镇村", "星火村", "下杨村", "马报桥村")),
        Town("詹家镇", ("詹家村", "夏金村", "浦山村")),
        Town("横山镇", ("横山村", "天池村", "志棠村", "塔下村")),
        Town("沐尘畲族乡", ("沐尘村", "双戴村"), she_share=0.5),
        Town("社阳乡", ("社阳村", "大公村")),
    ),
    neighbours=("330803", "330781", "331123", "330182", "330702"),  # 衢江 兰溪 遂昌 建德 婺城
    estates=("龙游府", "清溪花园", "荣昌苑", "东华新村", "翠光小区"),
    employers=("龙游经济开发区（工厂）", "纸业公司职工", "龙游县人民医院", "溪口镇竹制品厂"),
)
WUYI = County(
    code="330723",
    prefix="浙江省金华市武义县",
    postal_code="321200",
    towns=_towns(
        Town("壶山街道", ("解放街", "壶山路", "武阳路", "温泉路"), urban=True),
        Town("白洋街道", ("白洋路", "永康街", "望江路"), urban=True),
        Town("熟溪街道", ("熟溪路", "江下路", "溪南街"), urban=True),
        Town("履坦镇", ("履坦村", "坛头村", "范村")),
        Town("桐琴镇", ("桐琴村", "东干村")),
        Town("柳城畲族镇", ("柳城村", "华塘村"), she_share=0.5),
    ),
    neighbours=("330784", "330702", "330703", "331102", "331124"),  # 永康 婺城 金东 莲都 松阳
    estates=("温泉花园", "壶山新村", "熟溪名苑", "白洋小区"),
    employers=("武义经济开发区（工厂）", "五金工具厂", "温泉度假村", "武义县第一人民医院"),
)
COUNTIES = {LONGYOU.code: LONGYOU, WUYI.code: WUYI}

# Where the parents of migrant-worker children (进城务工人员随迁子女) come from: area code,
# household place, and the ethnicities met there besides 汉族 (GB/T 3304 codes).
HOMETOWNS = (
    ("361123", "江西省上饶市玉山县", ()),
    ("341221", "安徽省阜阳市临泉县", ()),
    ("411627", "河南省周口市太康县", ()),
    ("511621", "四川省广安市岳池县", ()),
    ("520526", "贵州省毕节市威宁彝族回族苗族自治县", ("07", "03", "06")),
)
AWAY_WORK = ("在杭州务工", "在义乌务工", "在上海务工", "在宁波务工", "在温州经商", "在苏州务工")
LOCAL_WORK = ("务农", "个体经营", "建筑工地", "快递员", "超市店员", "镇政府", "公司职员", "教师", "自由职业")
MIGRANT_WORK = ("开发区工厂务工", "个体经营（餐饮）", "快递员", "建筑工地", "菜市场摊位", "物流公司")


@dataclass(frozen=True)
class DemoSchool:
    key: str
    identifier: str  # 2-digit type (21 primary, 31 junior) + 33 (浙江) + 6-digit sequence
    name: str
    type: School.Type
    county: str
    classes_per_grade: tuple[int, ...]  # in the school's grade order
    size: tuple[int, int]
    towns: tuple[str, ...]  # catchment, the first the most common
    migrant_share: float = 0.0
    left_behind_share: float = 0.0


SCHOOLS = (
    DemoSchool(
        "xikou", "2133082501", "龙游县溪口小学", School.Type.PRIMARY, "330825", (1, 1, 2, 1, 1, 1), (20, 26),
        ("溪口镇", "溪口镇", "溪口镇", "社阳乡", "沐尘畲族乡"), migrant_share=0.03, left_behind_share=0.3,
    ),
    DemoSchool(
        "shiyan", "2133082502", "龙游县实验小学", School.Type.PRIMARY, "330825", (2, 1, 1, 1, 1, 1), (22, 30),
        ("龙洲街道", "龙洲街道", "东华街道"), migrant_share=0.12, left_behind_share=0.03,
    ),
    DemoSchool(
        "donghua", "2133082503", "龙游县东华小学", School.Type.PRIMARY, "330825", (1, 1, 1, 1, 1, 1), (20, 28),
        ("东华街道", "东华街道", "龙洲街道", "湖镇镇"), migrant_share=0.2, left_behind_share=0.05,
    ),
    DemoSchool(
        "erzhong", "3133082511", "龙游县第二中学", School.Type.JUNIOR, "330825", (2, 1, 1), (24, 32),
        ("龙洲街道", "东华街道", "詹家镇"), migrant_share=0.1, left_behind_share=0.08,
    ),
    DemoSchool(
        "hengshan", "3133082512", "龙游县横山初级中学", School.Type.JUNIOR, "330825", (1, 1, 1), (20, 26),
        ("横山镇", "横山镇", "湖镇镇"), migrant_share=0.03, left_behind_share=0.3,
    ),
    DemoSchool(
        "wuyi_shiyan", "2133072301", "武义县实验小学", School.Type.PRIMARY, "330723", (1, 1, 1, 2, 1, 1), (22, 30),
        ("壶山街道", "白洋街道", "熟溪街道"), migrant_share=0.15, left_behind_share=0.03,
    ),
    DemoSchool(
        "wuyi_shuxi", "2133072302", "武义县熟溪小学", School.Type.PRIMARY, "330723", (1, 1, 1, 1, 1, 1), (20, 25),
        ("熟溪街道", "履坦镇", "桐琴镇", "柳城畲族镇"), migrant_share=0.05, left_behind_share=0.2,
    ),
)


# --- People with a login ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    full_name: str
    school: str = ""  # DemoSchool.key
    grade: int | None = None  # teachers: the first class of this grade
    subject: str = ""
    bureau: str = ""  # region code


DEMO_USERS = (
    DemoUser("xikou_registrar", Role.REGISTRAR, "徐春燕", school="xikou"),
    DemoUser("xikou_office", Role.ACADEMIC_OFFICE, "余建华", school="xikou"),
    DemoUser("xikou_teacher", Role.CLASS_TEACHER, "叶丽萍", school="xikou", grade=3),
    DemoUser("xikou_math", Role.SUBJECT_TEACHER, "毛志强", school="xikou", grade=3, subject="数学"),
    DemoUser("shiyan_registrar", Role.REGISTRAR, "吴晓燕", school="shiyan"),
    DemoUser("erzhong_registrar", Role.REGISTRAR, "汪海峰", school="erzhong"),
    DemoUser("longyou_officer", Role.BUREAU_OFFICER, "郑国强", bureau="330825"),
    DemoUser("quzhou_officer", Role.BUREAU_OFFICER, "姜文斌", bureau="330800"),
    DemoUser("wuyi_registrar", Role.REGISTRAR, "朱美玲", school="wuyi_shiyan"),
    DemoUser("wuyi_officer", Role.BUREAU_OFFICER, "邵建军", bureau="330723"),
    DemoUser("admin", Role.ADMIN, "系统管理员"),
)


def bureau_name(region_code: str) -> str:
    names = {code: name for code, name, _level, _parent in REGIONS}
    return BUREAU_NAMES.get(region_code, f"{names[region_code]}教育局")


# --- Names ------------------------------------------------------------------------------------

# Surnames with rough weights: the national top names, with those common around 衢州 and 金华
# (徐 毛 余 叶 汪 姜 祝 童 邵) weighted up.
SURNAMES = {
    "徐": 60, "王": 55, "张": 45, "吴": 45, "陈": 45, "余": 35, "叶": 35, "刘": 30, "毛": 30, "郑": 28,
    "汪": 25, "李": 25, "姜": 22, "胡": 22, "周": 20, "杨": 18, "黄": 18, "方": 16, "朱": 16, "邵": 14,
    "祝": 14, "童": 12, "赵": 12, "程": 12, "何": 10, "林": 10, "章": 10, "钱": 8, "傅": 8, "潘": 8,
    "蓝": 6, "雷": 6, "钟": 5, "孙": 6, "金": 8, "施": 6, "严": 5, "应": 5, "项": 5, "廖": 4,
}
# 畲族 families mostly carry these four names.
SHE_SURNAMES = ("蓝", "雷", "钟", "李")

BOY_NAMES = (
    "浩然 子轩 宇航 梓豪 俊杰 一鸣 博文 皓轩 泽宇 天佑 嘉豪 睿泽 子墨 宇轩 明轩 浩宇 思远 晨阳 "
    "子豪 奕辰 铭泽 弘毅 承宇 梓睿 煜城 锦程 逸凡 家乐 俊熙 文博 彦博 子骞 立诚 嘉诚 景行 沐阳"
).split()
BOY_SINGLE = "浩 磊 杰 宇 航 睿 博 凯 鑫 涛 昊 晨 骏 哲 铭 翔 毅 豪".split()
GIRL_NAMES = (
    "欣怡 梓涵 雨萱 诗琪 可馨 佳怡 思彤 语嫣 若汐 一诺 梦瑶 雅婷 紫涵 欣妍 子萱 雨彤 佳琪 诗涵 "
    "梓萱 可欣 依诺 书瑶 静怡 艺涵 芷若 沐晴 安琪 心怡 晓雯 婉清 舒涵 思琪 语桐 乐瑶 清妍 嘉怡"
).split()
GIRL_SINGLE = "欣 怡 琪 婷 悦 彤 瑶 涵 馨 萱 妍 洁 琳 雯 菲 璐 颖 蕾".split()
FATHER_NAMES = (
    "建军 伟 强 海峰 志强 建华 国强 俊 勇 鹏 磊 斌 辉 杰 涛 军 明 林 华 波 晓东 建平 卫东 立新 "
    "永康 文杰 小军 振华 剑 峰 建伟 忠良"
).split()
MOTHER_NAMES = (
    "丽 芳 娟 燕 红 霞 萍 敏 静 丽萍 晓燕 雪芳 玲 婷 美玲 春燕 海燕 琴 慧 秀芳 丽娟 小红 彩霞 "
    "雅芳 素芬 丽琴 晓红"
).split()
GRANDFATHER_NAMES = "根土 水根 有富 土生 长春 金水 福生 建国 国华 德明 荣华 樟松 土根 炳荣 昌林".split()
GRANDMOTHER_NAMES = "秀英 桂英 凤英 金花 菊香 玉兰 彩英 月娥 兰英 金娥 素珍 爱莲 杏花".split()


# --- Making the register ----------------------------------------------------------------------


def school_year_start(today: datetime.date) -> int:
    """The calendar year in which the current school year began (a school year starts 1 September)."""
    return today.year if today.month >= 9 else today.year - 1


def primary_entry_year(*, grade: int, school_year: int) -> int:
    """The year a child now in `grade` entered first grade."""
    return school_year - (grade - 1)


def class_entry_year(*, school_type: School.Type, grade: int, school_year: int) -> int:
    """The year the class entered its school: first grade for a primary, seventh for a junior middle school."""
    first_grade = School.GRADES[school_type][0]
    return school_year - (grade - first_grade)


@dataclass
class Summary:
    regions: int = 0
    schools: int = 0
    classes: int = 0
    students: int = 0
    skipped_users: list[str] = field(default_factory=list)  # names already taken, left alone


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    full_name: str
    where: str


def demo_is_loaded() -> bool:
    return School.objects.filter(identifier__in=[school.identifier for school in SCHOOLS]).exists()


def demo_has_foreign_students() -> bool:
    """True when the database holds students that the demo did not make: the demo goes only
    into an empty register."""
    return Student.objects.exclude(school__identifier__in=[school.identifier for school in SCHOOLS]).exists()


def demo_logins() -> list[Login]:
    """The demo accounts as they are in the database, in the order of DEMO_USERS."""
    memberships = {
        membership.user.username: membership
        for membership in Membership.objects.filter(
            user__username__in=[user.username for user in DEMO_USERS]
        ).select_related("user", "school", "school_class", "bureau")
    }
    logins = []
    for user in DEMO_USERS:
        membership = memberships.get(user.username)
        if membership is None:
            continue
        if membership.school_class:
            where = f"{membership.school_class}" + (f" {membership.subject}" if membership.subject else "")
        else:
            where = str(membership.school or membership.bureau or "全部")
        logins.append(Login(user.username, membership.get_role_display(), membership.user.first_name, where))
    return logins


class _Register:
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

    def birth_date(self, *, grade: int) -> datetime.date:
        # Six by 31 August of the year of entering first grade; one in twenty a year older.
        entry = primary_entry_year(grade=grade, school_year=self.school_year)
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
        rng = self.rng
        county = COUNTIES[demo.county]
        town = county.towns[rng.choice(demo.towns)]
        migrant = rng.random() < demo.migrant_share
        left_behind = not migrant and rng.random() < demo.left_behind_share
        she = not migrant and rng.random() < town.she_share

        male = rng.random() < 0.52
        while True:
            birth_date = self.birth_date(grade=school_class.grade)
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

        first_grade = School.GRADES[demo.type][0]
        entry_year = class_entry_year(school_type=demo.type, grade=school_class.grade, school_year=self.school_year)
        transferred_in = school_class.grade > first_grade and rng.random() < 0.04
        if transferred_in:
            entry_way = "5"  # 转入
            entry_date = datetime.date(rng.randint(entry_year + 1, self.school_year), rng.choice((2, 9)), 1)
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


def _places() -> tuple[dict[str, Region], dict[str, Bureau], dict[str, School]]:
    regions: dict[str, Region] = {}
    for code, name, level, parent in REGIONS:
        regions[code], _created = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": regions.get(parent)}
        )
    bureaus = {
        code: Bureau.objects.get_or_create(code=code, defaults={"name": bureau_name(code), "region": region})[0]
        for code, region in regions.items()
    }
    schools = {
        demo.key: School.objects.create(
            identifier=demo.identifier,
            name=demo.name,
            type=demo.type,
            region=regions[demo.county],
            bureau=bureaus[demo.county],
        )
        for demo in SCHOOLS
    }
    return regions, bureaus, schools


def _provision(user: DemoUser, *, schools, bureaus, classes, summary: Summary, by=None):
    if get_user_model().objects.filter(username=user.username).exists():
        # Someone already uses this name: leave their account and password alone.
        summary.skipped_users.append(user.username)
        return None
    school_class = None
    if user.grade:
        school_class = next(c for c in classes[user.school] if c.grade == user.grade)
    account = services.user_provision(
        username=user.username,
        role=user.role,
        password=DEMO_PASSWORD,
        school=schools.get(user.school),
        bureau=bureaus.get(user.bureau),
        school_class=school_class,
        subject=user.subject,
        full_name=user.full_name,
        by=by,
        # The printed demo password must keep working: no first-login change for demo accounts.
        must_change_password=False,
    )
    return account


@transaction.atomic
def demo_load(*, seed: int = SEED, today: datetime.date | None = None) -> Summary:
    """Load the demo register into an empty database, all or nothing. Call only when
    demo_is_loaded() is False."""
    today = today or timezone.localdate()
    summary = Summary()
    regions, bureaus, schools = _places()
    summary.regions, summary.schools = len(regions), len(schools)
    register = _Register(seed=seed, today=today)

    classes: dict[str, list[SchoolClass]] = {}
    admin_user = next(user for user in DEMO_USERS if user.role == Role.ADMIN)
    admin = _provision(admin_user, schools=schools, bureaus=bureaus, classes=classes, summary=summary)
    registrars = {
        user.school: _provision(user, schools=schools, bureaus=bureaus, classes=classes, summary=summary, by=admin)
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
                    services.student_register(school_class=school_class, data=data, family_members=family, by=by)
                    summary.students += 1

    for user in DEMO_USERS:
        if user.role not in (Role.REGISTRAR, Role.ADMIN):
            _provision(user, schools=schools, bureaus=bureaus, classes=classes, summary=summary, by=admin)

    # The school year's two terms, and a transfer window around the day the demo is loaded, so
    # transfers can be tried on any day.
    year = register.school_year
    terms = [
        {"name": f"{year}—{year + 1}学年第一学期", "start": datetime.date(year, 9, 1), "end": datetime.date(year + 1, 1, 20)},
        {"name": f"{year}—{year + 1}学年第二学期", "start": datetime.date(year + 1, 2, 17), "end": datetime.date(year + 1, 7, 3)},
    ]
    for bureau in bureaus.values():
        services.calendar_replace(
            bureau=bureau,
            terms=terms,
            windows=[{"start": today - datetime.timedelta(days=7), "end": today + datetime.timedelta(days=60)}],
            by=admin,
        )
    return summary

