"""Students' names: in pinyin order (按姓名拼音排序) on PostgreSQL and on the embedded SQLite,
and a searched name as it is stored.

Lists and rosters sort students by name the way a Chinese reader expects: 安琪, 何天佑, 林晓雨,
王学籍, 张三 — not by code point, which puts 严 before 何 and 余. One expression serves both
databases: `COLLATE "zh-x-icu"`.

- PostgreSQL (built with ICU, as Debian's is) has the ICU collation "zh-x-icu" already: pinyin
  order for every character ICU knows.
- SQLite has none, so `register_sqlite_collation` gives each new SQLite connection one under the
  same name. Python has no pinyin table of its own; the national character set has one: GB 2312
  lists its 3,755 level-1 characters (nearly every character of a name) in pinyin order, and its
  level-2 characters by radical after them. Characters outside GB 2312 follow, in GB 18030
  order. Within one syllable the two orders may differ; across syllables they agree.

No stored sort key: nothing to fill in or keep up when a name changes, and PostgreSQL sorts with
the collation straight away (an index on the collated name serves it when a list needs one).
"""

from __future__ import annotations

import re

from django.db.models import F
from django.db.models.functions import Collate

COLLATION = "zh-x-icu"
# A space next to a Chinese character (何 天佑, 何　天佑) is typing, not part of the name.
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BESIDE_CJK = re.compile(rf"(?<=[{_CJK}·])\s+|\s+(?=[{_CJK}·])")


def name_search_text(text: str) -> str:
    """What a name search looks for: spaces next to Chinese characters dropped, any other run of
    spaces (full-width ones too) made one, as in a foreign name ("Anna Maria")."""
    return _SPACE_BESIDE_CJK.sub("", " ".join(text.split()))


def by_name(field: str = "name"):
    """An `order_by` term: `field` in pinyin order."""
    return Collate(F(field), COLLATION).asc()


def pinyin_key(text: str) -> tuple:
    """The SQLite fallback's sort key: ASCII and symbols first, then GB 2312 (pinyin), then the rest."""
    key = []
    for char in text:
        try:
            encoded = char.encode("gb2312")
        except UnicodeEncodeError:
            key.append((2, char.encode("gb18030")))
        else:
            key.append((1 if len(encoded) == 2 else 0, encoded))
    return tuple(key)


def _compare(left: str, right: str) -> int:
    left_key, right_key = pinyin_key(left), pinyin_key(right)
    return (left_key > right_key) - (left_key < right_key)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """connection_created: give a new SQLite connection the collation PostgreSQL has built in."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, _compare)
