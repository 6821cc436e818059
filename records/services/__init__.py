"""Every write to the register, by subject. Each service is keyword-only, atomic and validated.

    students    registration, direct edits, family members, key information, poverty status
    placements  where a student is placed; the status operations of the flows' last approvals
    classes     open, rename, merge, dissolve a class
    year_end    graduation of a class, promotion of graduates to middle school
    rollover    the school-year rollover: preview, confirm, apply, undo
    people      accounts and memberships
    accounts    a school's accounts opened and disabled by its academic office; registrar changes
    calendar    a bureau's terms and transfer windows
    identity    student numbers and the one-person-one-record check
    checks      the rules as pure checks, called at a request's start and at its last approval
    term_work   head-count checks, level grades and term comments
    dropouts    follow-ups of dropped-out students (控辍保学)
    intake      intake files (批量导入新生) and their validation job's state
    intake_rows the rows of an intake file, checked by the identity rules in batches
    tokens      the REST API's tokens: issue, use, revoke
    bulk_registration  the records of an approved intake, created together
    table_statistics   ANALYZE after a bulk write (PostgreSQL)

Callers import from here (`from records import services`); the modules import each other.
"""

from .accounts import (
    initial_password_generate,
    school_account_create,
    school_account_reset_password,
    school_account_set_active,
)
from .base import CITIZEN_ID_TYPE, NO_ID_TYPE, code_get
from .calendar import calendar_replace
from .bulk_registration import students_register_bulk
from .classes import class_create, class_dissolve, class_merge, class_rename, class_transfer
from .dropouts import follow_up_add
from .identity import (
    family_member_ids_check,
    key_info_check,
    member_id_number,
    record_check,
    student_check_identity,
    student_number_issue,
    validate_family_members,
)
from .intake import (
    intake_import_claim,
    intake_import_create,
    intake_import_fail,
    intake_import_finish,
    intake_import_progress,
    intake_import_submitted,
    intake_imports_waiting,
    intake_rows_check,
)
from .intake_rows import intake_rows_still_free
from .table_statistics import tables_analyze, tables_analyze_after_commit
from .people import membership_save, user_password_changed, user_provision
from .tokens import (
    api_token_digest,
    api_token_issue,
    api_token_lifetime,
    api_token_revoke,
    api_token_used,
    api_tokens_revoke,
    api_tokens_revoke_for_username,
)
from .checks import (
    RESUME_SAME_CLASS_DAYS,
    status_blockers,
    class_open_check,
    grade_change_check,
    poverty_change_check,
    reassign_class_check,
    resumption_class_check,
    status_check,
    suspension_end_check,
    suspension_period_check,
    transfer_class_check,
)
from .placements import (
    student_change_grade,
    student_decease,
    student_drop_out,
    student_extend_suspension,
    student_graduate,
    student_last_placement,
    student_promote,
    student_reassign_class,
    student_resume,
    student_suspend,
    student_transfer,
)
from .students import (
    EDITABLE_STUDENT_FIELDS,
    FAMILY_MEMBER_FIELDS,
    family_members_replace,
    student_change_key_info,
    student_register,
    student_resolve_duplicate,
    student_set_poverty,
    student_update,
)
from .term_work import comments_record, grades_record, head_count_confirm, level_parse
from .year_end import GRADUATE_SOURCES, PROMOTE_SOURCES, class_graduate, students_promote

__all__ = [
    "CITIZEN_ID_TYPE", "NO_ID_TYPE", "code_get",
    "calendar_replace",
    "initial_password_generate", "school_account_create", "school_account_reset_password",
    "school_account_set_active",
    "students_register_bulk",
    "class_create", "class_dissolve", "class_merge", "class_rename", "class_transfer",
    "family_member_ids_check", "key_info_check", "member_id_number", "record_check", "student_check_identity",
    "student_number_issue", "validate_family_members",
    "intake_import_claim", "intake_import_create", "intake_import_fail", "intake_import_finish",
    "intake_import_progress", "intake_import_submitted", "intake_imports_waiting", "intake_rows_check",
    "intake_rows_still_free",
    "membership_save", "user_password_changed", "user_provision",
    "RESUME_SAME_CLASS_DAYS", "status_blockers", "class_open_check", "grade_change_check", "poverty_change_check", "reassign_class_check", "resumption_class_check", "status_check",
    "suspension_end_check", "suspension_period_check", "transfer_class_check", "student_change_grade", "student_decease", "student_drop_out",
    "student_extend_suspension", "student_graduate", "student_last_placement", "student_promote",
    "student_reassign_class", "student_resume", "student_suspend", "student_transfer",
    "EDITABLE_STUDENT_FIELDS", "FAMILY_MEMBER_FIELDS", "family_members_replace", "student_change_key_info",
    "student_register", "student_resolve_duplicate", "student_set_poverty", "student_update",
    "GRADUATE_SOURCES", "PROMOTE_SOURCES", "class_graduate", "students_promote",
    "comments_record", "grades_record", "head_count_confirm", "level_parse",
    "follow_up_add",
    "api_token_digest", "api_token_issue", "api_token_lifetime", "api_token_revoke", "api_token_used",
    "api_tokens_revoke", "api_tokens_revoke_for_username",
    "tables_analyze", "tables_analyze_after_commit",
]
