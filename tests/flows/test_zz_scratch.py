import pytest
from django.urls import reverse
from .page_reading import page
pytestmark = pytest.mark.usefixtures("transfer_windows_open")

def test_scratch(client_for, student, receiving_registrar, class_b, longyou_bureau):
    c = client_for(receiving_registrar)
    r = c.get(reverse("transfer_receive"), {"student_number": student.student_number, "name": "x"})
    print(page(r).form_errors)
    from records.models import TransferWindow
    TransferWindow.objects.all().delete()
    r = c.post(reverse("transfer_receive"), {"student_number": student.student_number, "name": student.name, "to_class": class_b.pk, "applicant_name": "a", "applicant_relationship": "b", "applicant_phone": "1", "reason": "r"})
    print(page(r).form_errors)
    open("/tmp/scratch/recv.html", "w").write(r.content.decode())
