"""账号管理 through the browser: the academic office opens a teacher's and a new registrar's account,
hands over the one-time password, disables the old registrar; the teacher must change the
password at the first login; the county bureau's officer reads of the registrar change."""

from __future__ import annotations

import re

import pytest

from notifications.sweeps import deliver_missed
from records.models import Membership


def choose(page, field: str, option: str) -> None:
    page.click(f"vf-field-select[name={field}] .mdc-select__anchor")
    page.locator(f"vf-field-select[name={field}] li[role=option]", has_text=option).click()


def open_account(page, *, full_name: str, username: str, role: str, school_class: str = "") -> None:
    page.fill("input[name=full_name]", full_name)
    page.fill("input[name=username]", username)
    choose(page, "role", role)
    if school_class:
        choose(page, "school_class", school_class)
    page.click("#account-form button[type=submit]")


@pytest.mark.browser
def test_the_office_opens_and_disables_accounts_and_the_bureau_hears_of_the_new_registrar(
    live_server, academic_office, registrar, class_teacher, bureau_officer, class_a, browser_for, chromium, screenshot
):
    page = browser_for("office_a")
    page.get_by_role("link", name="账号管理").click()
    page.wait_for_url(f"{live_server.url}/accounts/")
    table = page.inner_text("#accounts")
    assert "王学籍" in table and "陈老师" in table and "赵教导" in table
    assert "本人" in page.inner_text("tr[data-username=office_a]")
    screenshot(page, "accounts-list.png")

    page.click("#new-account")
    page.wait_for_url(f"{live_server.url}/accounts/new/")
    open_account(page, full_name="孙老师", username="sun.teacher", role="班主任")
    page.wait_for_selector("text=班主任和任课教师须指定任教班级")
    screenshot(page, "accounts-new-class-missing.png")
    assert not Membership.objects.filter(user__username="sun.teacher").exists()

    choose(page, "school_class", class_a.name)
    page.click("#account-form button[type=submit]")
    page.wait_for_selector("#initial-password")
    password = page.inner_text("#initial-password").strip()
    assert re.fullmatch(r"[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}", password)
    assert "初始密码只显示这一次" in page.inner_text("main")
    screenshot(page, "accounts-created.png")

    # The new teacher signs in with it and must change it first.
    teacher = chromium()
    teacher.goto(f"{live_server.url}/accounts/login/")
    teacher.fill("input[name=username]", "sun.teacher")
    teacher.fill("input[name=password]", password)
    assert "忘记密码请联系本校教导处" in teacher.inner_text("body")
    screenshot(teacher, "accounts-login-one-time-password.png")
    teacher.click("button[type=submit]")
    teacher.wait_for_url(f"{live_server.url}/accounts/password/")
    assert "这是您第一次登录" in teacher.inner_text("main")
    screenshot(teacher, "accounts-first-login.png")

    # A new registrar, and the old one disabled.
    page.goto(f"{live_server.url}/accounts/new/")
    open_account(page, full_name="钱新", username="qian.xin", role="学籍管理员")
    page.wait_for_selector("#initial-password")
    page.get_by_role("link", name="返回账号列表").click()
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("tr[data-username=registrar_a]").get_by_role("button", name="停用").click()
    page.wait_for_selector("tr[data-username=registrar_a] >> text=已停用")
    assert "待首次登录改密" in page.inner_text("tr[data-username='qian.xin']")
    screenshot(page, "accounts-registrar-disabled.png")
    assert not Membership.objects.get(user=registrar).user.is_active

    # The teacher lost the first password: a new one, shown once.
    page.locator("tr[data-username='sun.teacher']").get_by_role("button", name="重置密码").click()
    page.wait_for_selector("text=已为孙老师重置密码")
    assert page.inner_text("#initial-password").strip() != password
    screenshot(page, "accounts-password-reset.png")

    # No worker runs here: beat's sweep of missed notifications tells the bureau.
    assert deliver_missed() == 1  # one handover, one report
    officer = browser_for("officer_longyou")
    officer.goto(f"{live_server.url}/notifications/")
    notes = officer.inner_text("main")
    assert "学籍管理员变更：龙游县实验小学" in notes
    assert "原学籍管理员 王学籍（registrar_a），新学籍管理员 钱新（qian.xin）" in notes
    assert "共 1 条" in notes
    screenshot(officer, "accounts-bureau-notified.png")


@pytest.mark.browser
def test_an_administrator_picks_a_school_and_sees_its_accounts_in_english(
    live_server, admin_user, registrar, school_a, school_c, browser_for, screenshot
):
    page = browser_for("admin")
    page.get_by_role("link", name="账号管理").click()
    page.wait_for_url(f"{live_server.url}/accounts/")
    page.select_option("#school-choice select[name=school]", school_a.identifier)
    screenshot(page, "accounts-admin-choice.png")
    page.click("#school-choice button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/?school={school_a.identifier}")
    assert "王学籍" in page.inner_text("#accounts")

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=Accounts of 龙游县实验小学")
    assert "DISABLE" in page.inner_text("tr[data-username=registrar_a]").upper()
    assert "NEW ACCOUNT" in page.inner_text("#new-account").upper()
    screenshot(page, "accounts-list-en.png")
