"""Evidence files: a scanned document as PDF, JPEG or PNG, at most 10 MB, whose content is what
its name says. The content is recognised by its first bytes (the formats' signatures), since a
renamed program or web page must not be stored and served as a parent's scan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# Extension → the format its content must be.
EVIDENCE_EXTENSIONS = {".pdf": "PDF", ".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
# How each format's files begin. A PDF may have a few bytes before its header (readers look at
# the first kilobyte), the others start with theirs.
_PDF_HEADER = b"%PDF"
_PDF_HEADER_WITHIN = 1024
_SIGNATURES = {"JPEG": b"\xff\xd8\xff", "PNG": b"\x89PNG\r\n\x1a\n"}


def sniffed_format(file) -> str | None:
    """PDF, JPEG or PNG as the file's first bytes say, or None for anything else."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(_PDF_HEADER_WITHIN)
    file.seek(position)
    if isinstance(head, str):
        head = head.encode("latin-1", "replace")
    for name, signature in _SIGNATURES.items():
        if head.startswith(signature):
            return name
    if _PDF_HEADER in head:
        return "PDF"
    return None


def evidence_file_check(file):
    """Refuse a file over 10 MB, of another type than PDF, JPG or PNG, or whose content is not what
    its extension says. The pages' forms, the API's serializers and the services all call this."""
    if file is None:
        return None
    name = file.name.rsplit("/", 1)[-1]
    if file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("文件不能超过10MB。"), code="evidence_size")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = EVIDENCE_EXTENSIONS.get(extension)
    if expected is None:
        raise ValidationError(_("只接受PDF、JPG、PNG格式的扫描件。"), code="evidence_type")
    found = sniffed_format(file)
    if found is None:
        raise ValidationError(
            _("文件“%(name)s”的内容不是PDF、JPG或PNG（可能已损坏，或只是改了扩展名），请上传原始扫描件。") % {"name": name},
            code="evidence_content",
        )
    if found != expected:
        raise ValidationError(
            _("文件“%(name)s”的内容是%(found)s，与扩展名不符，请改正扩展名后再上传。") % {"name": name, "found": found},
            code="evidence_content",
        )
    return file
