"""A school's own accounts, opened and disabled by its academic office (教导处做好学校用户的建立和权限
分配工作, policy texts 篇1 一); a change of its registrar is reported to the bureau (篇10 五.一).

The one-time initial password is generated here, shown once to whoever opened the account, and
must be changed at the first login (records.middleware).
"""

from __future__ import annotations

import functools
import logging
import secrets

from celery import current_app
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from ..models import SCHOOL_ROLES, Membership, RegistrarChange, Role, School, SchoolClass
from ..selectors import accounts_manageable_by
from .base import record_actor
from .people import user_provision
from .tokens import api_tokens_revoke

User = get_user_model()
logger = logging.getLogger(__name__)

# No look-alikes (0 O o, 1 l I), so that a password read out or copied by hand is typed right.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# notifications.tasks.deliver_registrar_change, named rather than imported: the register knows
# nothing of what is built on it. The beat sweep (deliver_missed) tells what this never queued.
REGISTRAR_CHANGE_TASK = "notifications.tasks.deliver_registrar_change"


def initial_password_generate() -> str:
    """A one-time initial password: three groups of four, e.g. "k7mQ-x4Rt-9pWz" (about 70 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _i in range(4)) for _group in range(3))


def _check_manager(by, school: School) -> None:
    if not accounts_manageable_by(by, school):
        raise PermissionDenied(_("只有本校教导处（或系统管理员）可以管理本校账号。"))


def _active_registrars(school: School):
    return User.objects.filter(is_active=True, membership__role=Role.REGISTRAR, membership__school=school).order_by("pk")


def _registrar_added(*, school: School, registrar, by) -> None:
    """A registrar opened or enabled: reported with the one in office, or else the one whose
    disabling was reported last (the office may disable the old registrar first)."""
    old = _active_registrars(school).exclude(pk=registrar.pk).first()
    if old is None:
        last = RegistrarChange.objects.filter(school=school).order_by("-changed_at", "-pk").first()
        old = last.old_registrar if last and last.new_registrar_id is None else None
    _registrar_change(school=school, old=old, new=registrar, by=by)


def _registrar_removed(*, school: School, registrar, by) -> None:
    """A registrar disabled: reported with the one who stays, unless it only completes the handover
    to that one that was reported when they were opened (the usual order: open the new, disable
    the old)."""
    remaining = _active_registrars(school).exclude(pk=registrar.pk).first()
    last = RegistrarChange.objects.filter(school=school).order_by("-changed_at", "-pk").first()
    if remaining and last and last.old_registrar_id == registrar.pk and last.new_registrar_id == remaining.pk:
        return
    _registrar_change(school=school, old=registrar, new=remaining, by=by)


def _registrar_change(*, school: School, old, new, by) -> RegistrarChange:
    change = RegistrarChange.objects.create(
        school=school, old_registrar=old, new_registrar=new, changed_by=by, changed_at=timezone.now()
    )
    transaction.on_commit(functools.partial(_publish_registrar_change, change.pk), robust=True)
    return change


def _publish_registrar_change(change_id: int) -> None:
    try:
        current_app.signature(REGISTRAR_CHANGE_TASK, args=[change_id]).delay()
    except OperationalError:
        # The change is committed; the next sweep of missed notifications reports it.
        logger.warning("Broker unreachable: registrar change %s left for the next sweep.", change_id, exc_info=True)


@transaction.atomic
def school_account_create(
    *,
    school: School,
    by: AbstractBaseUser,
    username: str,
    full_name: str,
    role: str,
    school_class: SchoolClass | None = None,
    subject: str = "",
) -> tuple[AbstractBaseUser, str]:
    """Open an account of `school` in one of the school's roles; returns it and its one-time
    initial password. A new registrar is reported to the bureau, with the one before."""
    _check_manager(by, school)
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    errors = {}
    if not username:
        errors["username"] = [_("请填写登录名。")]
    else:
        try:
            User.username_validator(username)
        except ValidationError:
            errors["username"] = [_("登录名只能包含字母、数字和 @ . + - _ 符号。")]
        if len(username) > User._meta.get_field("username").max_length:
            errors["username"] = [_("登录名太长。")]
        elif User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("登录名“%(username)s”已被使用，请换一个。") % {"username": username}]
    if not full_name:
        errors["full_name"] = [_("请填写姓名。")]
    if role not in SCHOOL_ROLES:
        errors["role"] = [
            _("学校只能开通本校的账号：%(roles)s。")
            % {"roles": "、".join(str(Role(value).label) for value in SCHOOL_ROLES)}
        ]
    if school_class is not None and school_class.school_id != school.pk:
        errors["school_class"] = [_("班级不属于本校。")]
    if errors:
        raise ValidationError(errors)
    if role not in (Role.CLASS_TEACHER, Role.SUBJECT_TEACHER):
        # Only teachers belong to a class; the form may still send the one picked before the role.
        school_class = None
    if role != Role.SUBJECT_TEACHER:
        subject = ""
    try:
        # Created here rather than by user_provision, which updates an account of that name: an
        # office racing another for the same login must not take over the other's new account.
        with transaction.atomic():
            User.objects.create(username=username)
    except IntegrityError:
        raise ValidationError({"username": [_("登录名“%(username)s”已被使用，请换一个。") % {"username": username}]}) from None
    password = initial_password_generate()
    user = user_provision(
        username=username,
        role=role,
        password=password,
        school=school,
        school_class=school_class,
        subject=subject,
        full_name=full_name,
        by=by,
    )
    if role == Role.REGISTRAR:
        _registrar_added(school=school, registrar=user, by=by)
    return user, password


@transaction.atomic
def school_account_set_active(*, account: AbstractBaseUser, active: bool, by: AbstractBaseUser) -> AbstractBaseUser:
    """Disable (停用) or enable (启用) an account of the school. A disabled account cannot sign in,
    and its open sessions and API token stop working. Disabling or enabling a registrar is
    reported to the bureau."""
    membership = Membership.objects.select_related("school").filter(user=account).first()
    if membership is None or membership.school_id is None or membership.role not in SCHOOL_ROLES:
        raise PermissionDenied(_("只能管理本校的账号。"))
    school = membership.school
    _check_manager(by, school)
    if account.pk == by.pk and not active:
        raise ValidationError({"is_active": [_("不能停用自己的账号。")]})
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.is_active == active:
        return account
    account.is_active = active
    account.save(update_fields=["is_active"])
    if not active:
        # Enabling the account again does not bring its old tokens back.
        api_tokens_revoke(user=account)
    # The membership's history says who disabled or enabled the account, and when.
    record_actor(membership, by, _("启用账号") if active else _("停用账号"))
    membership.save()
    if membership.role == Role.REGISTRAR:
        if active:
            _registrar_added(school=school, registrar=account, by=by)
        else:
            _registrar_removed(school=school, registrar=account, by=by)
    return account


@transaction.atomic
def school_account_reset_password(*, account: AbstractBaseUser, by: AbstractBaseUser) -> str:
    """重置密码: a new one-time initial password for an account of the school (its owner lost the
    first one, or forgot their own), to be changed at the next login. The account's other
    sessions and its API token stop working. Returns the password, to be shown once."""
    membership = Membership.objects.select_related("school").filter(user=account).first()
    if membership is None or membership.school_id is None or membership.role not in SCHOOL_ROLES:
        raise PermissionDenied(_("只能管理本校的账号。"))
    _check_manager(by, membership.school)
    if account.pk == by.pk:
        raise ValidationError({"password": [_("请在“修改密码”页面修改自己的密码。")]})
    account = User.objects.select_for_update().get(pk=account.pk)
    password = initial_password_generate()
    # A new password hash logs out the account's sessions (their auth hash no longer matches).
    account.set_password(password)
    account.save(update_fields=["password"])
    api_tokens_revoke(user=account)
    membership.must_change_password = True
    record_actor(membership, by, _("重置密码"))
    membership.save()
    return password
