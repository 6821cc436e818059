"""The demo's places: the two counties of 浙江省 with their towns, villages and streets, where
the families come from and work, and the seven schools; written directly, since no page
creates regions, bureaus or schools."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Bureau, Region, School

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


def bureau_name(region_code: str) -> str:
    names = {code: name for code, name, _level, _parent in REGIONS}
    return BUREAU_NAMES.get(region_code, f"{names[region_code]}教育局")


def places() -> tuple[dict[str, Region], dict[str, Bureau], dict[str, School]]:
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
