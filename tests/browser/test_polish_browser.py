"""The register's smaller pages as a registrar and an officer use them: the request list's filters,
the rollover's year, a class's rename and the calendar editor are viewflow's Material fields;
the side menu lights the page's own item and counts the open tasks; names sort by pinyin and a
name typed with a space is found; the snackbar keeps clear of the buttons."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from records.models import SchoolClass, Term
from tests.factories import StudentFactory
from tests.flows.acting import start_transfer
from tests.flows.conftest import today, transfer_windows_open  # noqa: F401 (fixtures)

from .test_suspension_browser import pick

NAMES = ["周杰", "安琪", "王学籍", "何天佑", "林晓雨", "严紫涵", "余宇轩"]
IN_PINYIN_ORDER = ["安琪", "何天佑", "林晓雨", "王学籍", "严紫涵", "余宇轩", "周杰"]


def lit_menu_items(page) -> list[str]:
    """The side menu's highlighted items, by their text (server- or script-lit)."""
    return page.locator(
        "vf-page-menu-navigation .mdc-list-item--activated .mdc-list-item__content,"
        " vf-page-menu-navigation .mdc-list-item--selected .mdc-list-item__content"
    ).all_inner_texts()


def no_native_widgets(page, form_selector: str) -> None:
    """Every visible field of the form is one of viewflow's Material fields, none the browser's bare one."""
    form = page.locator(form_selector)
    assert form.locator("vf-field-input, vf-field-select, vf-field-date, vf-field-checkbox").count() > 0
    bare = form.locator("input:not([type=hidden]), select").evaluate_all(
        "els => els.filter(e => !e.closest('.mdc-text-field, .mdc-select, .mdc-checkbox, .mdc-form-field') && e.offsetParent !== null).map(e => e.outerHTML)"
    )
    assert bare == []


@pytest.fixture
def named_class(class_a, registrar):
    for name in NAMES:
        StudentFactory(school_class=class_a, by=registrar, name=name)
    return class_a


@pytest.fixture
def current_term(longyou_bureau):
    """The term running now, whatever day the tests run: 2026–2027's first term on 4 December 2026."""
    day = timezone.localdate()
    start_year = day.year if day.month >= 8 else day.year - 1
    return Term.objects.create(
        bureau=longyou_bureau, name=f"{start_year}—{start_year + 1}学年第一学期",
        start=datetime.date(start_year, 9, 1), end=datetime.date(start_year + 1, 7, 10),
    )


@pytest.mark.browser
def test_registrar_filters_rolls_over_renames_and_finds_students_by_pinyin(
    live_server, named_class, class_a2, current_term, registrar, browser_for, screenshot
):
    page = browser_for("registrar_a")

    # The request list's filters are Material selects.
    page.goto(f"{live_server.url}/requests/")
    no_native_widgets(page, "#request-filter")
    pick(page, "kind", "休学")
    page.click("#request-filter button[type=submit]")
    page.wait_for_url(f"{live_server.url}/requests/?kind=suspension*")
    assert page.locator("vf-field-select[name=kind]").get_attribute("value") == "suspension"
    screenshot(page, "polish-request-list.png")

    # The rollover offers the school year after the current term.
    page.goto(f"{live_server.url}/rollover/")
    next_year = current_term.start.year + 1
    assert page.locator("#rollover-year input[name=school_year]").input_value() == str(next_year)
    assert f"{next_year} 学年升级预览" in page.inner_text("main")
    no_native_widgets(page, "#rollover-year")
    page.fill("#rollover-year input[name=school_year]", str(next_year + 1))
    page.click("#rollover-year button[type=submit]")
    page.wait_for_url(f"{live_server.url}/rollover/?school_year={next_year + 1}")
    assert f"{next_year + 1} 学年升级预览" in page.inner_text("main")
    screenshot(page, "polish-rollover.png")

    # The class page: the roster in pinyin order, the rename a Material field.
    page.goto(f"{live_server.url}/classes/{named_class.pk}/")
    roster = page.locator("#class-roster tbody tr td:nth-child(2)").all_inner_texts()
    assert [name.strip() for name in roster] == IN_PINYIN_ORDER
    no_native_widgets(page, "#class-operations")
    page.fill("#class-rename input[name=name]", "三年级(9)班")
    with page.expect_navigation():
        page.click("#class-rename button[type=submit]")
    assert page.inner_text(".vf-card__title >> nth=0") == "三年级(9)班"
    assert SchoolClass.objects.get(pk=named_class.pk).name == "三年级(9)班"
    # The snackbar that says so sits clear of the class's buttons.
    snackbar = page.locator(".mdc-snackbar__surface")
    snackbar.wait_for()
    assert "班级已改名" in snackbar.inner_text()
    box = snackbar.bounding_box()
    for button in page.locator("main button, main .mdc-button").all():
        other = button.bounding_box()
        if other:
            overlaps = not (
                box["x"] + box["width"] <= other["x"] or other["x"] + other["width"] <= box["x"]
                or box["y"] + box["height"] <= other["y"] or other["y"] + other["height"] <= box["y"]
            )
            assert not overlaps, button.inner_text()
    screenshot(page, "polish-class.png")
    page.locator(".mdc-snackbar__surface").wait_for(state="hidden", timeout=10_000)

    # The student list in pinyin order; a name typed with a space is found.
    page.goto(f"{live_server.url}/students/")
    names = [name.strip() for name in page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()]
    assert names == IN_PINYIN_ORDER
    page.fill("input[name=q]", "何 天佑")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/students/?q=*")
    names = [name.strip() for name in page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()]
    assert names == ["何天佑"]
    screenshot(page, "polish-student-search.png")


@pytest.mark.browser
def test_officer_sees_the_open_tasks_counted_and_the_notifications_item_lit_and_edits_the_calendar(
    live_server, transfer_windows_open, student, class_b, receiving_registrar, bureau_officer, browser_for, screenshot
):
    start_transfer(student, receiving_registrar, to_class=class_b)
    page = browser_for("officer_longyou")

    assert page.inner_text("#menu-open-tasks") == "1"
    assert set(lit_menu_items(page)) == {"首页"}

    page.goto(f"{live_server.url}/notifications/")
    assert set(lit_menu_items(page)) == {"消息中心"}
    screenshot(page, "polish-notifications-menu.png")
    page.goto(f"{live_server.url}/tasks/")
    assert set(lit_menu_items(page)) == {"待办任务"}

    # The calendar editor: a row of Material fields per term and window.
    page.goto(f"{live_server.url}/calendar/")
    no_native_widgets(page, "#calendar-form")
    page.fill("input[name=terms-0-name]", "2026—2027学年第一学期")
    page.fill("input[name=terms-0-start]", "2026-09-01")
    page.fill("input[name=terms-0-end]", "2027-01-20")
    screenshot(page, "polish-calendar.png")
    with page.expect_navigation():
        page.click("#calendar-form button[type=submit]")
    term = Term.objects.get(bureau=bureau_officer.membership.bureau)
    assert (term.name, term.start, term.end) == ("2026—2027学年第一学期", datetime.date(2026, 9, 1), datetime.date(2027, 1, 20))
    assert page.locator("input[name=terms-0-name]").input_value() == "2026—2027学年第一学期"
