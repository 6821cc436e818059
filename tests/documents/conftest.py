"""Fixtures of the document tests: a completed transfer and suspension, and reading a PDF back.

The world is tests/conftest.py's (school_a and school_b under 龙游县, school_c under 武义县), with
the open transfer windows of tests/flows/conftest.py. A PDF is read as a registrar would check
the printed paper: its text (pypdf's extraction, which needs the glyphs' Unicode in the PDF) and
the fonts embedded in it.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from flows.models import Evidence, Suspension, Transfer
from records.models import Role
from tests.api.conftest import api_for  # noqa: F401 (fixture)
from tests.browser_fixtures import ARTIFACTS
from tests.factories import UserFactory
from tests.flows.acting import decide, start_transfer
from tests.flows.conftest import today, transfer_windows_open  # noqa: F401 (fixtures)
from tests.flows.status.conftest import start_suspension


def pdf_text(content: bytes) -> str:
    """The text of every page, as one string with the line breaks and spaces taken out: a table
    cell's text may wrap anywhere."""
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def pdf_fonts(content: bytes) -> set[str]:
    """The names of the fonts embedded in the PDF, without the subset prefix (ABCDEF+)."""
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def pdf_pages(content: bytes) -> list:
    return PdfReader(io.BytesIO(content)).pages


@pytest.fixture
def keep_pdf():
    """keep_pdf(content, "name.pdf") → the PDF saved to test-artifacts/, beside the screenshots."""

    def save(content: bytes, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / name).write_bytes(content)

    return save


def teacher_of(school_class, username: str, full_name: str):
    return UserFactory(
        username=username, role=Role.CLASS_TEACHER, school=school_class.school, school_class=school_class,
        full_name=full_name,
    )


@pytest.fixture
def other_class_teacher(class_a2):
    """The class teacher of school_a's other third-grade class."""
    return teacher_of(class_a2, "teacher_a2", "林老师")


@pytest.fixture
def completed_transfer(transfer_windows_open, student, class_b, registrar, receiving_registrar, bureau_officer):
    """school_b takes the student into class_b: 龙游县教育局 approves, school_a releases."""
    transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer, comment="符合转学条件")
    decide(registrar, transfer, comment="同意转出")
    transfer = Transfer.objects.get(pk=transfer.pk)
    assert transfer.state == Transfer.State.COMPLETED
    return transfer


@pytest.fixture
def completed_suspension(student, registrar, academic_office, bureau_officer):
    """休学 for illness: the academic office signs, 龙游县教育局 approves."""
    suspension = start_suspension(
        student, registrar, cause="illness", reason="肺炎住院，医嘱休养三个月",
        kinds=(Evidence.Kind.APPLICATION, Evidence.Kind.DIAGNOSIS),
    )
    decide(academic_office, suspension, comment="情况属实")
    decide(bureau_officer, suspension, comment="准予休学")
    suspension = Suspension.objects.get(pk=suspension.pk)
    assert suspension.state == Suspension.State.COMPLETED
    return suspension


@pytest.fixture
def class_b_teacher(class_b):
    """The class teacher of the class a transfer moves the student into."""
    return teacher_of(class_b, "teacher_b", "何老师")
