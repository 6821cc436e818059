"""The admin site, for system administrators: accounts, schools, classes and code tables.

Students and placements are read-only here: only records.services may change them, through the
approval flows. Classes are opened through services.class_create (their code is generated), and
a membership is saved through services.membership_save so the account's rights follow its role.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    ApiToken,
    Bureau,
    Code,
    FamilyMember,
    Membership,
    Placement,
    Region,
    School,
    SchoolClass,
    Student,
    Term,
    TransferWindow,
)


class NoRevertMixin:
    """simple-history's version page saves the old version on POST; here that would bypass the
    services, so the page is for reading only."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True


class ReadOnlyAdmin(NoRevertMixin, SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Code)
class CodeAdmin(SimpleHistoryAdmin):
    list_display = ("table", "code", "name", "sort_order")
    list_filter = ("table",)
    search_fields = ("code", "name")
    ordering = ("table", "sort_order", "code")


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(Bureau)
class BureauAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "region", "allow_repeat_or_skip", "step_due_working_days")
    list_filter = ("region__level", "allow_repeat_or_skip")
    search_fields = ("code", "name", "region__name")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ("identifier", "name", "type", "region", "bureau")
    list_filter = ("type", "bureau")
    search_fields = ("identifier", "name")
    list_select_related = ("region", "bureau")
    autocomplete_fields = ("region", "bureau")


class SchoolClassAddForm(forms.ModelForm):
    class Meta:
        model = SchoolClass
        fields = ("school", "grade", "entry_year", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("留空则按年级自动命名，如“三年级(2)班”。")

    def clean(self):
        cleaned = super().clean()
        school, grade, name = cleaned.get("school"), cleaned.get("grade"), cleaned.get("name")
        if school and grade and grade not in school.grades:
            raise ValidationError({"grade": _("该校没有这个年级。")})
        if school and name and SchoolClass.objects.filter(school=school, name=name, state=SchoolClass.State.OPEN).exists():
            raise ValidationError({"name": _("本校已有同名的在读班级。")})
        return cleaned


@admin.register(SchoolClass)
class SchoolClassAdmin(NoRevertMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "grade", "school", "entry_year", "state")
    list_filter = ("state", "grade", "entry_year")
    search_fields = ("code", "name", "school__name", "school__identifier")
    list_select_related = ("school",)
    autocomplete_fields = ("school",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SchoolClassAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("school", "grade", "entry_year", "name")
        return ("code", "school", "grade", "sequence", "name", "entry_year", "state")

    def get_readonly_fields(self, request, obj=None):
        # The grade is part of the code; a class is closed by graduation or dissolution, not here.
        return () if obj is None else ("code", "school", "grade", "sequence", "state")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.class_create(
            school=obj.school, grade=obj.grade, entry_year=obj.entry_year, name=obj.name, by=request.user
        )
        for field in ("pk", "code", "sequence", "name", "state"):
            setattr(obj, field, getattr(created, field))
        obj._state.adding = False


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0
    can_delete = False
    fields = ("position", "name", "relationship", "is_guardian", "phone", "work_unit", "address", "id_type", "id_number")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PlacementInline(admin.TabularInline):
    model = Placement
    extra = 0
    can_delete = False
    fields = ("school", "school_class", "started_on", "ended_on", "reason", "end_reason")
    readonly_fields = fields
    ordering = ("-started_on", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Student)
class StudentAdmin(ReadOnlyAdmin):
    list_display = ("student_number", "name", "gender", "birth_date", "school", "status")
    list_filter = ("status", "gender", "student_type", "left_behind", "poverty")
    search_fields = ("student_number", "name", "former_names", "id_number", "school__name")
    list_select_related = ("school", "gender")
    date_hierarchy = "created_at"
    inlines = (FamilyMemberInline, PlacementInline)
    show_full_result_count = False  # a province has a million records: skip the second COUNT(*)


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ("student", "school", "school_class", "started_on", "ended_on", "reason", "end_reason")
    list_filter = (("ended_on", admin.EmptyFieldListFilter), "started_on")
    search_fields = ("student__student_number", "student__name", "school_class__code", "school__name")
    list_select_related = ("student", "school", "school_class__school")
    show_full_result_count = False


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = (
            "user", "role", "school", "school_class", "subject", "bureau", "must_change_password", "is_script_account"
        )


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    form = MembershipForm
    list_display = (
        "user", "full_name", "role", "school", "school_class", "bureau", "must_change_password", "is_script_account"
    )
    list_filter = ("role", "must_change_password", "is_script_account")
    search_fields = ("user__username", "user__first_name", "school__name", "bureau__name")
    list_select_related = ("user", "school", "school_class", "bureau")
    autocomplete_fields = ("user", "school", "school_class", "bureau")

    @admin.display(description=_("姓名"), ordering="user__first_name")
    def full_name(self, membership):
        return membership.user.get_full_name()

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj, by=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds which API token; an administrator may revoke one (delete). Keys are never shown:
    only their digests are stored."""

    list_display = ("user", "prefix", "client", "created", "expires_at", "last_used_at")
    search_fields = ("user__username", "prefix")
    list_select_related = ("user",)
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.api_token_revoke(token=obj)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token)


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ("name", "bureau", "start", "end")
    list_filter = ("bureau",)
    search_fields = ("name", "bureau__name")
    list_select_related = ("bureau",)


@admin.register(TransferWindow)
class TransferWindowAdmin(SimpleHistoryAdmin):
    list_display = ("bureau", "start", "end")
    list_filter = ("bureau",)
    search_fields = ("bureau__name",)
    list_select_related = ("bureau",)


admin.site.site_header = _("学籍管理系统 · 后台管理")
admin.site.site_title = _("学籍管理系统")
admin.site.index_title = _("后台管理")
