from django.core.management.base import BaseCommand, CommandError

from flows.invariants import RULES, violations


class Command(BaseCommand):
    help = (
        "Check the whole database against the register's and the requests' rules (one open placement "
        "per enrolled student, no overlapping placements, unique student numbers, closed requests with "
        "their closing time …) and list every row that breaks one; exit status 1 if any does. "
        "检查学籍数据的一致性，列出所有不符合规则的记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("rules", nargs="*", metavar="rule", help=f"only these: {', '.join(RULES)}")

    def handle(self, *args, rules, **options):
        unknown = sorted(set(rules) - set(RULES))
        if unknown:
            raise CommandError(f"no such rule 没有这条规则: {', '.join(unknown)}")
        found = violations(rules or None)
        for name, (description, _check) in RULES.items():
            broken = [violation for violation in found if violation.rule == name]
            if broken:
                self.stdout.write(f"{name}: {len(broken)} — {description}")
                for violation in broken:
                    self.stdout.write(f"  {violation.subject}")
        checked = len(rules or RULES)
        if found:
            raise CommandError(f"{len(found)} violation(s) of {checked} rule(s) 发现 {len(found)} 处不一致")
        self.stdout.write(f"{checked} rule(s) checked, no violation 未发现不一致")
