"""People: accounts, their memberships (where and in which role), the first-login password change."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import CLASS_ROLES, Bureau, Membership, Role, School, SchoolClass
from ..subjects import Subject
from .base import record_actor
from .tokens import api_tokens_revoke

User = get_user_model()


@transaction.atomic
def user_provision(
    *,
    username: str,
    role: str,
    password: str,
    school: School | None = None,
    bureau: Bureau | None = None,
    school_class: SchoolClass | None = None,
    subject: str = "",
    full_name: str = "",
    by=None,
    must_change_password: bool = True,
    is_script_account: bool = False,
    self_provisioned: bool = False,
) -> AbstractBaseUser:
    """Create or update a person's account and membership; the pages ask for a new password at
    the first login. The new password ends the account's API tokens. `by` is who did it;
    `self_provisioned` records the account as its own creator (the first administrator, whom
    nobody else could have created)."""
    if role not in Role.values:
        raise ValidationError({"role": _("角色无效，可选：%(roles)s") % {"roles": ", ".join(Role.values)}})
    if role in CLASS_ROLES and not school_class:
        # Without this the membership constraint's name would be all the administrator sees.
        raise ValidationError({"school_class": _("班主任和任课教师须指定任教班级。")})
    if school_class and school and school_class.school_id != school.pk:
        raise ValidationError({"school_class": _("班级不属于该学校。")})
    if school_class and not school:
        school = school_class.school
    if subject:
        # The Chinese name ("数学") or the value ("math"): administrators type the former.
        parsed = Subject.parse(subject)
        if parsed is None:
            raise ValidationError(
                {"subject": _("“%(subject)s”不是义务教育阶段的学科。可选：%(choices)s")
                 % {"subject": subject, "choices": "、".join(str(label) for label in Subject.labels)}}
            )
        subject = parsed.value
    user, _created = User.objects.get_or_create(username=username)
    if full_name:
        user.first_name = full_name
    user.set_password(password)
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.save()
    api_tokens_revoke(user=user)
    membership = Membership.objects.filter(user=user).first() or Membership(user=user)
    membership.role = role
    membership.school = school if role != Role.BUREAU_OFFICER and role != Role.ADMIN else None
    membership.bureau = bureau if role == Role.BUREAU_OFFICER else None
    membership.school_class = school_class
    membership.subject = subject
    membership.must_change_password = must_change_password
    membership.is_script_account = is_script_account
    membership.full_clean(exclude=["user"])
    record_actor(membership, user if self_provisioned else by, _("开通账号"))
    membership.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


@transaction.atomic
def user_password_changed(*, user) -> None:
    """After the person changed their own password: the first-login change is done, and the API
    tokens issued under the old password end."""
    api_tokens_revoke(user=user)
    membership = Membership.objects.filter(user=user).first()
    if membership and membership.must_change_password:
        membership.must_change_password = False
        record_actor(membership, user, _("修改初始密码"))
        membership.save()


@transaction.atomic
def membership_save(*, membership: Membership, by) -> Membership:
    """Save a membership edited by an administrator and bring the account in line with its role:
    the role's permission group, and admin rights only for the admin role (a demoted
    administrator must not keep seeing everything)."""
    membership.full_clean(exclude=["user"])
    record_actor(membership, by, _("修改用户身份"))
    membership.save()
    user = membership.user
    user.is_staff = user.is_superuser = membership.role == Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.set([Group.objects.get(name=membership.role)])
    return membership

