"""Every request kind, and the registry the pages and the API find them in.

viewflow imports this module before migrations (to create the flows' permissions); each kind
lives in one module of its own, with its Flow, its start service, its forms, pages and API body
(the intake in a package: flows/intake/).
"""

from __future__ import annotations

from .dropout import DropoutFlow
from .grade_change import GradeChangeFlow
from .graduation import GraduationFlow
from .intake import IntakeFlow
from .key_info_change import KeyInfoChangeFlow
from .poverty import PovertyFlow
from .promotion import PromotionFlow
from .registration import RegistrationFlow
from .resumption import ResumptionFlow
from .suspension import SuspensionFlow
from .transfer import TransferFlow
from .transfer_cancel import TransferCancelFlow
from .transfer_in import TransferInFlow
from .transfer_out import TransferOutFlow
from .whole_class_transfer import WholeClassTransferFlow

# In the order the student page offers them.
FLOWS = (
    TransferFlow,
    TransferOutFlow,
    SuspensionFlow,
    GradeChangeFlow,
    ResumptionFlow,
    DropoutFlow,
    KeyInfoChangeFlow,
    PovertyFlow,
    TransferCancelFlow,
    TransferInFlow,
    WholeClassTransferFlow,
    RegistrationFlow,
    IntakeFlow,
    GraduationFlow,
    PromotionFlow,
)
KINDS = {flow_class.kind: flow_class for flow_class in FLOWS}


def kind_flow(kind: str):
    """The flow of a request kind (the instance, whose methods the pages and the API call)."""
    return KINDS[kind].instance


def flows():
    """Every kind's flow instance, in the order of FLOWS."""
    return [flow_class.instance for flow_class in FLOWS]

