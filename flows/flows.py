"""viewflow imports this module before migrations; it imports one module per status change."""

from .transfer import TransferFlow  # noqa: F401
from .transfer_cancel import TransferCancelFlow  # noqa: F401
from .transfer_in import TransferInFlow  # noqa: F401
from .transfer_out import TransferOutFlow  # noqa: F401
from .whole_class_transfer import WholeClassTransferFlow  # noqa: F401
