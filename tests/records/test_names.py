"""Names sort by pinyin on PostgreSQL and on SQLite, and a name typed with spaces is found."""

from __future__ import annotations

import sqlite3

from records.names import COLLATION, _compare, name_search_text
from records.selectors import student_search
from tests.factories import StudentFactory

NAMES = ["周杰", "安琪", "王学籍", "何天佑", "林晓雨", "严紫涵", "余宇轩", "陈晨", "程颖", "傅洁"]
IN_PINYIN_ORDER = ["安琪", "陈晨", "程颖", "傅洁", "何天佑", "林晓雨", "王学籍", "严紫涵", "余宇轩", "周杰"]


def test_the_student_list_sorts_names_by_pinyin(registrar, class_a):
    for name in NAMES:
        StudentFactory(school_class=class_a, by=registrar, name=name)

    assert [s.name for s in student_search(registrar)] == IN_PINYIN_ORDER


def test_the_embedded_sqlite_sorts_by_the_same_collation_name():
    """The expression the selectors send (COLLATE "zh-x-icu") works on SQLite with our collation."""
    connection = sqlite3.connect(":memory:")
    connection.create_collation(COLLATION, _compare)
    connection.execute("create table student (name text)")
    connection.executemany("insert into student values (?)", [(name,) for name in NAMES])
    rows = connection.execute(f'select name from student order by name collate "{COLLATION}"').fetchall()
    assert [name for (name,) in rows] == IN_PINYIN_ORDER


def test_a_name_searched_with_spaces_is_found(registrar, class_a):
    StudentFactory(school_class=class_a, by=registrar, name="何天佑")
    StudentFactory(school_class=class_a, by=registrar, name="何弘毅")

    for typed in ("何 天佑", " 何　天 佑 ", "何天佑"):
        assert [s.name for s in student_search(registrar, q=typed)] == ["何天佑"]
    assert name_search_text("Anna  Maria") == "Anna Maria"
