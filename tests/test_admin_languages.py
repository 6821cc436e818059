"""The admin's sections of third-party apps in the admin's language: django-axes and viewflow's
workflow in Chinese under zh-hans, in English under English."""

from __future__ import annotations


def test_the_admin_names_the_login_protection_and_workflow_sections_in_chinese(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")

    chinese = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for section in ("登录保护", "登录尝试", "登录日志", "流程引擎", "任务"):
        assert section in chinese
    for english in (">Axes<", ">Workflow<", "Access attempts", "Access logs", "Process list"):
        assert english not in chinese

    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Login protection" in english and "Workflow" in english
