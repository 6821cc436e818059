"""The register's models, by subject; import them from here (`from records.models import Student`).

    codes         national code tables
    organisation  regions, bureaus, schools, classes
    students      students, family members, placements (the status state machine is on Student)
    people        roles and memberships; changes of a school's registrar
    calendar      terms and transfer windows
    year_end      graduation certificates, rollovers
    term_work     head-count checks, level grades, term comments
    dropouts      dropout follow-ups (控辍保学)
    intake        intake spreadsheets (批量导入新生) and their validation jobs
    tokens        the REST API's tokens
"""

from .calendar import Term, TransferWindow
from .codes import Code, CodeTable, code_field
from .dropouts import DropoutFollowUp
from .intake import IntakeImport, IntakeRow
from .organisation import Bureau, Region, School, SchoolClass
from .people import CLASS_ROLES, SCHOOL_ROLES, Membership, RegistrarChange, Role
from .students import FamilyMember, Placement, Student
from .term_work import COMMENT_MAX_LENGTH, HeadCount, Level, LevelGrade, TermComment
from .tokens import ApiToken
from .year_end import GraduationCertificate, Rollover, RolloverClass

__all__ = [
    "Term", "TransferWindow", "Code", "CodeTable", "code_field", "Bureau", "Region", "School", "SchoolClass",
    "CLASS_ROLES", "SCHOOL_ROLES", "Membership", "RegistrarChange", "Role", "FamilyMember", "Placement", "Student",
    "GraduationCertificate", "Rollover", "RolloverClass",
    "COMMENT_MAX_LENGTH", "HeadCount", "Level", "LevelGrade", "TermComment", "DropoutFollowUp",
    "IntakeImport", "IntakeRow", "ApiToken",
]
