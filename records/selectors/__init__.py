"""Every read that depends on who asks. Views, the API and exports all go through here.

    scope     who sees which schools, bureaus, classes and students; people in a role
    pages     counts and list rows of the home, student and class pages
    year_end  promotion candidates, certificate checks, rollovers
    term_work who writes a class's term work, how far each class has got, a student's terms
    focus     what a report page is about: a region or a school, and who reads the reports
    dropouts  the dropout follow-up list (控辍保学) and who may write a follow-up
    intake    intake files (批量导入新生)
    privacy   who reads ID numbers and phone numbers whole, and how they read masked
    former    a student who has left the user's school: what the former school still sees
    exports   the class exports' rows
    tokens    a person's own API tokens
    accounts  a school's accounts and who manages them

The requests' and steps' reads are flows.selectors: the register knows nothing of the flows. The
statistics and the term reports, which count completed requests, are reports.selectors.
"""

from .accounts import account_school_of, accounts_manageable_by, school_accounts
from .dropouts import (
    DEATH_REASON,
    NOT_FOLLOWED_UP,
    dropout_reason_counts,
    dropout_search,
    dropouts_visible_to,
    follow_ups_of,
    may_follow_up,
)
from .former import FormerStudent, student_left_from
from .focus import Focus, home_focus, in_focus, regions_in_focus, report_schools, statistics_visible_to
from .exports import class_students_for_export
from .intake import intake_imports_visible_to
from .privacy import IdentityShown, identity_shown_to, mask_id_number, mask_phone, mask_student_number
from .pages import (
    BadPage,
    StudentPage,
    StudentTotal,
    classes_with_size,
    schools_with_counts,
    student_list_cursor,
    student_list_page,
    student_status_counts,
    student_total,
    students_with_current_class,
)
from .scope import (
    bureau_school_regions,
    bureaus_visible_to,
    calendar_editable_by,
    classes_visible_to,
    membership_of,
    region_q,
    regions_under,
    schools_visible_to,
    sees_identity_whole,
    student_find_for_transfer_in,
    student_search,
    students_visible_to,
    user_sees_everything,
    users_in_role,
)
from .term_work import (
    class_roster,
    class_term_work,
    comment_sheet,
    grade_sheet,
    is_class_teacher_of,
    student_term_records,
    subject_taught_by,
    term_work_classes,
    term_work_rows,
    term_work_totals,
)
from .tokens import api_tokens_of
from .year_end import (
    certificate_verify,
    graduates_for_promotion,
    promotion_region_students,
    rollover_scope_of,
    rollovers_visible_to,
)

__all__ = [
    "classes_with_size", "schools_with_counts", "student_status_counts", "students_with_current_class",
    "BadPage", "StudentPage", "StudentTotal", "student_list_cursor", "student_list_page", "student_total",
    "bureau_school_regions", "bureaus_visible_to", "calendar_editable_by", "classes_visible_to", "membership_of", "region_q", "regions_under",
    "schools_visible_to", "student_find_for_transfer_in", "student_search", "students_visible_to",
    "user_sees_everything", "users_in_role",
    "certificate_verify", "graduates_for_promotion", "promotion_region_students", "rollover_scope_of",
    "rollovers_visible_to",
    "class_roster", "class_term_work", "comment_sheet", "grade_sheet", "is_class_teacher_of", "student_term_records",
    "subject_taught_by", "term_work_classes", "term_work_rows", "term_work_totals",
    "DEATH_REASON", "NOT_FOLLOWED_UP", "dropout_reason_counts", "dropout_search", "dropouts_visible_to",
    "follow_ups_of", "may_follow_up", "Focus", "home_focus", "in_focus", "regions_in_focus", "report_schools",
    "statistics_visible_to",
    "intake_imports_visible_to", "class_students_for_export", "api_tokens_of",
    "account_school_of", "accounts_manageable_by", "school_accounts",
    "FormerStudent", "student_left_from",
    "IdentityShown", "identity_shown_to", "mask_id_number", "mask_phone", "mask_student_number", "sees_identity_whole",
]
