"""Load the national code tables and create one permission group per role."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
    "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 "
    "俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()

CODE_TABLES = {
    "gender": [("1", "男"), ("2", "女")],
    # GB/T 3304: 01–56 in the standard's order, then 97 其他, 98 外国血统中国籍人士.
    "ethnicity": [(f"{n:02d}", name) for n, name in enumerate(ETHNICITIES, start=1)]
    + [("97", "其他"), ("98", "外国血统中国籍人士")],
    # GB/T 2659 numeric codes for the nationalities a school meets most.
    "nationality": [
        ("156", "中国"), ("344", "中国香港"), ("446", "中国澳门"), ("158", "中国台湾"),
        ("410", "韩国"), ("392", "日本"), ("840", "美国"), ("999", "其他"),
    ],
    "id_type": [
        ("1", "居民身份证"), ("6", "香港特区护照/身份证明"), ("7", "澳门特区护照/身份证明"),
        ("8", "台湾居民来往大陆通行证"), ("9", "境外永久居住证"), ("A", "护照"), ("Z", "其他"),
    ],
    "overseas": [("00", "否"), ("01", "香港同胞"), ("02", "澳门同胞"), ("03", "台湾同胞"), ("04", "华侨"), ("05", "外籍华裔人"), ("06", "外国人")],
    "health": [("1", "健康或良好"), ("2", "一般或较弱"), ("3", "有慢性病"), ("6", "残疾")],
    "household_type": [("1", "农业户口"), ("2", "非农业户口"), ("3", "居民户口")],
    "entry_way": [
        ("1", "就近入学"), ("2", "相对就近入学"), ("3", "统一招生考试/招生"), ("4", "民办学校招生"),
        ("5", "转入"), ("9", "其他"),
    ],
    "study_mode": [("1", "走读"), ("2", "住校")],
    "student_type": [("1", "普通学生"), ("2", "随班就读"), ("3", "借读生"), ("4", "残疾学生"), ("9", "其他")],
    "disability": [
        ("0", "非残疾"), ("1", "视力残疾"), ("2", "听力残疾"), ("3", "言语残疾"), ("4", "肢体残疾"),
        ("5", "智力残疾"), ("6", "精神残疾"), ("7", "多重残疾"),
    ],
    "left_behind": [("1", "非留守儿童"), ("2", "单亲留守儿童"), ("3", "双亲留守儿童")],
    "transport": [
        ("0", "步行"), ("1", "自行车（含电动）"), ("2", "公共交通"), ("3", "家长自行接送"), ("4", "校车"),
        ("5", "其他"),
    ],
    "relationship": [
        ("1", "父亲"), ("2", "母亲"), ("3", "祖父"), ("4", "祖母"), ("5", "外祖父"), ("6", "外祖母"),
        ("7", "兄姐"), ("8", "其他亲属"), ("9", "其他"),
    ],
    "dropout_reason": [
        ("1", "退学"), ("2", "流失（辍学）"), ("3", "转至市外/省外/境外"), ("4", "死亡"), ("9", "其他"),
    ],
}

VIEW = ("view",)
EDIT = ("view", "add", "change")
ROLE_PERMISSIONS = {
    "registrar": {
        "student": EDIT, "familymember": ("view", "add", "change", "delete"), "placement": VIEW,
        "schoolclass": EDIT, "school": VIEW, "region": VIEW, "bureau": VIEW, "code": VIEW,
    },
    "academic_office": {
        "student": ("view", "change"), "familymember": ("view", "change"), "placement": VIEW,
        "schoolclass": VIEW, "school": VIEW, "region": VIEW, "bureau": VIEW, "code": VIEW,
    },
    "class_teacher": {
        "student": VIEW, "familymember": VIEW, "placement": VIEW, "schoolclass": VIEW, "school": VIEW, "code": VIEW,
    },
    "subject_teacher": {"student": VIEW, "placement": VIEW, "schoolclass": VIEW, "school": VIEW, "code": VIEW},
    "bureau_officer": {
        "student": VIEW, "familymember": VIEW, "placement": VIEW, "schoolclass": VIEW, "school": VIEW,
        "region": VIEW, "bureau": ("view", "change"), "code": VIEW,
    },
    "admin": {
        model: ("view", "add", "change", "delete")
        for model in ("student", "familymember", "placement", "schoolclass", "school", "region", "bureau", "code", "membership")
    },
}


def load(apps, schema_editor):
    Code = apps.get_model("records", "Code")
    for table, rows in CODE_TABLES.items():
        for order, (code, name) in enumerate(rows):
            Code.objects.update_or_create(table=table, code=code, defaults={"name": name, "sort_order": order})

    # Permissions are normally created after all migrations; create them now to fill the groups.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, models in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
        group.permissions.set(Permission.objects.filter(content_type__app_label="records", codename__in=codenames))


def unload(apps, schema_editor):
    apps.get_model("records", "Code").objects.filter(table__in=CODE_TABLES).delete()
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load, unload)]
