"""A school's accounts: listed, opened, disabled and enabled by its academic office (or a system
administrator), as on the page /accounts/."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from .. import selectors, services
from ..models import SCHOOL_ROLES, Membership, School, SchoolClass
from ..subjects import Subject


class AccountSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.first_name", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    class_code = serializers.CharField(source="school_class.code", read_only=True, allow_null=True, default=None)
    school = serializers.CharField(source="school.identifier", read_only=True)

    class Meta:
        model = Membership
        fields = ["username", "full_name", "role", "school", "class_code", "subject", "is_active", "must_change_password"]
        read_only_fields = fields


class AccountCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="the login; letters, digits and @.+-_")
    full_name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=[role.value for role in SCHOOL_ROLES])
    class_code = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="12-digit class code; class and subject teachers"
    )
    subject = serializers.ChoiceField(
        choices=Subject.choices, required=False, allow_blank=True, default="", help_text="subject teachers"
    )


class AccountCreatedSerializer(AccountSerializer):
    initial_password = serializers.CharField(
        read_only=True, help_text="the one-time initial password, returned this once; changed at the first login"
    )

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "initial_password"]
        read_only_fields = fields


class AccountActiveSerializer(serializers.Serializer):
    is_active = serializers.BooleanField(help_text="false disables the account (停用), true enables it again")


class SchoolAccountsMixin:
    def get_school(self) -> School:
        school = get_object_or_404(selectors.schools_visible_to(self.request.user), identifier=self.kwargs["identifier"])
        if not selectors.accounts_manageable_by(self.request.user, school):
            raise PermissionDenied(_("只有本校教导处（或系统管理员）可以管理本校账号。"))
        return school


@extend_schema(tags=["accounts"])
class SchoolAccountList(SchoolAccountsMixin, generics.ListAPIView):
    """The school's accounts (registrar, academic office, principal, teachers)."""

    serializer_class = AccountSerializer

    def get_queryset(self):
        return selectors.school_accounts(self.get_school()).select_related("school")

    @extend_schema(request=AccountCreateSerializer, responses={201: AccountCreatedSerializer})
    def post(self, request, identifier):
        """Open an account; the answer carries its one-time initial password, this once."""
        school = self.get_school()
        body = AccountCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        school_class = None
        if data["class_code"]:
            school_class = SchoolClass.objects.filter(code=data["class_code"], school=school).first()
            if school_class is None:
                raise serializers.ValidationError({"class_code": [_("本校没有班级编码为 %(code)s 的班级。") % {"code": data["class_code"]}]})
        user, password = services.school_account_create(
            school=school,
            by=request.user,
            username=data["username"],
            full_name=data["full_name"],
            role=data["role"],
            school_class=school_class,
            subject=data["subject"],
        )
        membership = Membership.objects.select_related("user", "school", "school_class").get(user=user)
        membership.initial_password = password
        response = Response(AccountCreatedSerializer(membership).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(tags=["accounts"])
class SchoolAccountDetail(SchoolAccountsMixin, generics.GenericAPIView):
    serializer_class = AccountSerializer

    def get_object(self) -> Membership:
        memberships = selectors.school_accounts(self.get_school()).select_related("school")
        return get_object_or_404(memberships, user__username=self.kwargs["username"])

    def get(self, request, identifier, username):
        return Response(AccountSerializer(self.get_object()).data)

    @extend_schema(request=AccountActiveSerializer, responses=AccountSerializer)
    def patch(self, request, identifier, username):
        """Disable or enable the account; nobody disables their own."""
        membership = self.get_object()
        body = AccountActiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.school_account_set_active(account=membership.user, active=body.validated_data["is_active"], by=request.user)
        membership.user.refresh_from_db()
        return Response(AccountSerializer(membership).data)


class InitialPasswordSerializer(serializers.Serializer):
    initial_password = serializers.CharField(
        read_only=True, help_text="the new one-time initial password, returned this once; changed at the next login"
    )


@extend_schema(tags=["accounts"])
class SchoolAccountPasswordView(SchoolAccountsMixin, generics.GenericAPIView):
    serializer_class = InitialPasswordSerializer

    @extend_schema(request=None, responses={200: InitialPasswordSerializer})
    def post(self, request, identifier, username):
        """Reset the account's password to a new one-time initial password (重置密码); its sessions
        and API token stop working."""
        memberships = selectors.school_accounts(self.get_school())
        membership = get_object_or_404(memberships, user__username=username)
        password = services.school_account_reset_password(account=membership.user, by=request.user)
        response = Response({"initial_password": password})
        response["Cache-Control"] = "no-store"
        return response
