"""A registrar graduates a class from the browser; the bureau officer approves it on the task page."""

from __future__ import annotations

import pytest

from flows.models import WorkItem
from records.models import GraduationCertificate, SchoolClass, Student
from tests.factories import SchoolClassFactory, StudentFactory


@pytest.fixture
def graduating_class(school_a, registrar, bureau_officer):
    sixth = SchoolClassFactory(school=school_a, grade=6)
    pupils = [StudentFactory(school_class=sixth, by=registrar) for _ in range(3)]
    return sixth, pupils


@pytest.mark.browser
def test_registrar_graduates_a_class_and_the_bureau_approves(live_server, graduating_class, browser_for, screenshot):
    sixth, pupils = graduating_class
    page = browser_for("registrar_a")
    page.goto(f"{live_server.url}/classes/{sixth.pk}/")
    page.get_by_role("link", name="办理毕业").click()
    page.wait_for_url(f"{live_server.url}/classes/{sixth.pk}/graduate/")
    kept = pupils[2]
    page.check(f"input[name=exclude_{kept.pk}]")
    page.fill(f"input[name=reason_{kept.pk}]", "学业未达毕业要求")
    screenshot(page, "graduation-start.png")
    page.click("#graduation-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/requests/*/")
    assert "毕业" in page.inner_text("main")

    officer = browser_for("officer_longyou")
    officer.goto(f"{live_server.url}/tasks/")
    assert "毕业" in officer.inner_text("main")
    step = WorkItem.objects.get(request__kind="graduation", finished__isnull=True)
    officer.goto(f"{live_server.url}/tasks/{step.pk}/")
    officer.wait_for_selector("#year-end-entries")
    assert "学业未达毕业要求" in officer.inner_text("#year-end-entries")
    officer.locator("input[name=decision][value=approve]").check(force=True)
    screenshot(officer, "graduation-approve.png")
    officer.click("#decision-form button[type=submit]")
    officer.wait_for_url(f"{live_server.url}/tasks/")

    assert [Student.objects.get(pk=p.pk).status for p in pupils] == ["graduated", "graduated", "enrolled"]
    assert SchoolClass.objects.get(pk=sixth.pk).state == SchoolClass.State.GRADUATED
    number = GraduationCertificate.objects.get(student=pupils[0]).number

    public = browser_for("registrar_a")
    public.goto(f"{live_server.url}/verify/")
    public.fill("input[name=number]", number)
    public.fill("input[name=name]", pupils[0].name)
    public.click("#verify-form button[type=submit]")
    assert "证书有效" in public.inner_text("#verify-result")
    screenshot(public, "graduation-verify.png")
