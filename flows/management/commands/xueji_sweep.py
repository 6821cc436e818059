from django.core.management.base import BaseCommand
from viewflow.workflow.timers import fire_due_timers

from flows.intake.tasks import intake_imports_run_waiting
from flows.lapse import expire_lapsed_transfers
from flows.suspension import suspensions_begin
from notifications import services, sweeps, term_reminders
from records.services.rollover import rollovers_run_waiting

SWEEPS = {
    "remind": (sweeps.remind_pending_tasks, "待办提醒 reminders recorded"),
    "escalate": (sweeps.escalate_overdue_tasks, "超期督办 notifications recorded"),
    "lapse": (expire_lapsed_transfers, "transfers lapsed 转学申请已过期"),
    "suspensions-begin": (suspensions_begin, "suspensions begun on their start date 休学生效"),
    "suspensions": (sweeps.remind_suspensions_ending, "休学即将到期 reminders recorded"),
    "term": (term_reminders.remind_term_work_due, "学期工作提醒 reminders recorded (head counts, grades, comments)"),
    "term-report": (term_reminders.report_term_work, "人数核对逾期/不符 reports recorded"),
    "missed": (sweeps.deliver_missed, "missed event notifications recorded 补发"),
    "timers": (fire_due_timers, "workflow timers fired"),
    "intake": (intake_imports_run_waiting, "waiting intake files validated 批量导入校验"),
    "rollover": (rollovers_run_waiting, "waiting rollovers applied 升级"),
}


class Command(BaseCommand):
    help = (
        "Run the sweeps once, here and now, as Celery beat runs them; then send the e-mails not sent "
        "yet. Running a sweep again sends nothing twice. 立即执行一次提醒、督办、过期等定时任务。"
    )

    def add_arguments(self, parser):
        parser.add_argument("sweep", nargs="?", default="all", choices=[*SWEEPS, "all"])

    def handle(self, *args, sweep, **options):
        for name in SWEEPS if sweep == "all" else [sweep]:
            run, what = SWEEPS[name]
            self.stdout.write(f"{name}: {run()} {what}")
        self.stdout.write(f"e-mail: {services.emails_send()} sent")
