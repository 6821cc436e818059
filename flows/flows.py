"""viewflow imports this module before migrations; it imports one module per status change."""

from .dropout import DropoutFlow  # noqa: F401
from .grade_change import GradeChangeFlow  # noqa: F401
from .key_info_change import KeyInfoChangeFlow  # noqa: F401
from .poverty import PovertyFlow  # noqa: F401
from .registration import RegistrationFlow  # noqa: F401
from .resumption import ResumptionFlow  # noqa: F401
from .suspension import SuspensionFlow  # noqa: F401
from .transfer import TransferFlow  # noqa: F401
from .transfer_cancel import TransferCancelFlow  # noqa: F401
from .transfer_in import TransferInFlow  # noqa: F401
from .transfer_out import TransferOutFlow  # noqa: F401
from .whole_class_transfer import WholeClassTransferFlow  # noqa: F401
from .graduation import GraduationFlow  # noqa: F401
from .promotion import PromotionFlow  # noqa: F401
