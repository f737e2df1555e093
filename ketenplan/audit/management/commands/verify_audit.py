"""Verify the audit trail: every content hash, every link of the chain, both its ends."""

from django.core.management.base import BaseCommand, CommandError

from ketenplan.audit.services import seal_pending
from ketenplan.audit.verification import PAGE_SIZE, verify


def _anchor(value: str) -> tuple[int, str]:
    seq, _, chain_hash = value.partition(":")
    if not seq.isdigit() or len(chain_hash) != 64:
        raise ValueError(value)
    return int(seq), chain_hash.lower()


class Command(BaseCommand):
    help = (
        "Recompute every audit event's content hash and the hash chain; report the first "
        "broken event (altered, inserted or removed rows). Exit status 1 on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="Seal pending events first.")
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            type=_anchor,
            metavar="SEQ:HASH",
            help="A chain head recorded elsewhere (the sealer logs it); the chain must pass "
            "through it. Repeatable.",
        )
        parser.add_argument("--retention-days", type=int, help="Judge checkpoints by this retention.")
        parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
        parser.add_argument("--max-problems", type=int, default=20, help="How many to list.")

    def handle(self, *args, **options):
        if options["seal"]:
            seal_pending()
        report = verify(
            page_size=options["page_size"],
            max_problems=options["max_problems"],
            retention_days=options["retention_days"],
            anchors=dict(options["anchor"]),
        )
        rate = report.rows / report.seconds * 60 if report.seconds else 0
        self.stdout.write(
            f"Checked {report.rows} audit event(s) in {report.seconds:.1f} s "
            f"({rate:,.0f} a minute): {report.sealed} sealed "
            f"(seq {report.first_seq or '-'}..{report.head_seq}, "
            f"{report.checkpoints} retention checkpoint(s)), {report.unsealed} not yet sealed."
        )
        self.stdout.write(f"Chain head {report.head_seq}:{report.head_hash}")
        if report.unsealed and report.oldest_unsealed:
            self.stdout.write(
                f"Oldest unsealed event: {report.oldest_unsealed:%Y-%m-%d %H:%M:%S} UTC "
                "(if this is more than a minute old, is the sealer running?)"
            )
        for problem in report.protection:
            self.stderr.write(f"PROTECTION: {problem}")
        if report.problems:
            self.stderr.write(f"FIRST BROKEN: {report.first_problem}")
            for problem in report.problems[1:]:
                self.stderr.write(f"also: {problem}")
            if report.problem_count > len(report.problems):
                self.stderr.write(f"... {report.problem_count - len(report.problems)} more")
        if not report.ok:
            raise CommandError(
                f"The audit trail does not verify: {report.problem_count} broken event(s), "
                f"{len(report.protection)} protection problem(s)."
            )
        self.stdout.write(self.style.SUCCESS("The audit trail verifies."))
