"""Requests (学籍异动申请): what every request has (requests.py) and each kind's Process model (kinds.py)."""

from .kinds import (
    Cause,
    Dropout,
    GradeChange,
    Graduation,
    GraduationEntry,
    Intake,
    IntakeEntry,
    KeyInfoChange,
    PovertyChange,
    Promotion,
    PromotionEntry,
    Registration,
    Resumption,
    Suspension,
    Transfer,
    TransferCancellation,
    TransferIn,
    TransferOut,
    WholeClassTransfer,
)
from .requests import Evidence, Request, RequestStudent, WorkItem, evidence_path

__all__ = [
    "Cause", "Dropout", "GradeChange", "Graduation", "GraduationEntry", "Intake", "IntakeEntry", "KeyInfoChange", "PovertyChange",
    "Promotion", "PromotionEntry", "Registration", "Resumption", "Suspension", "Transfer", "TransferCancellation",
    "TransferIn", "TransferOut", "WholeClassTransfer", "Evidence", "Request", "RequestStudent", "WorkItem",
    "evidence_path",
]
