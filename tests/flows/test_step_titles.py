"""A step keeps its title in Chinese, as the record of what was asked, whoever's page created it;
the pages name it in the reader's language."""

from __future__ import annotations

from django.utils import translation

from tests.flows.acting import start_transfer


def test_a_step_created_from_an_english_page_keeps_a_chinese_title_and_reads_in_english(
    transfer_windows_open, student, class_b, receiving_registrar
):
    with translation.override("en"):
        transfer = start_transfer(student, receiving_registrar, to_class=class_b)
    step = transfer.work_items.get()

    assert step.title == "转入地教育局审批"
    assert step.step_title == "转入地教育局审批"
    with translation.override("en"):
        assert step.step_title == "Receiving bureau approves"
