import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from fangkong.tracing.models import Case
from fangkong.tracing.queries import identity_ids_of, window_of
from fangkong.tracing.search import Query, co_presence
from fangkong.venues.models import Venue
from fangkong.venues.queries import dwell_minutes


class Command(BaseCommand):
    help = "病例时空交集检索 / The co-presence search for one case: who stayed at a venue while it was there"

    def add_arguments(self, parser):
        parser.add_argument("--case", required=True, help="病例编号或ID / the case's number or id")
        parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")

    def handle(self, *args, case: str, **options):
        by_number = Q(number=case)
        found = Case.objects.filter(by_number | Q(pk=int(case)) if case.isdigit() else by_number).first()
        if found is None:
            raise CommandError(f"没有病例 {case}")
        since, until = window_of(found)
        hits = co_presence([Query(found.pk, identity_ids_of(found), since, until)], dwell=dwell_minutes)
        names = dict(Venue.objects.filter(id__in={h.venue_id for h in hits}).values_list("id", "name"))
        # Identity ids, not names or ID numbers: the output leaves the system unmasked, so it carries no
        # personal data beyond what the candidate list's ids already are.
        result = {
            "case": {
                "id": found.pk,
                "number": found.number,
                "since": since.isoformat(),
                "until": until.isoformat(),
            },
            "candidates": [
                {
                    "identity_id": h.identity_id,
                    "venue_id": h.venue_id,
                    "venue": names.get(h.venue_id, ""),
                    "first_at": h.first_at.isoformat(),
                    "last_at": h.last_at.isoformat(),
                    "overlap_minutes": h.overlap_minutes,
                    "overlap_seconds": h.overlap_seconds,
                }
                for h in hits
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"{found.number}  {since:%Y-%m-%d %H:%M} – {until:%Y-%m-%d %H:%M}  {len(hits)} 人次"
        )
        for c in result["candidates"]:
            self.stdout.write(
                f"{c['venue']}\t{c['identity_id']}\t{c['overlap_minutes']} 分钟\t{c['first_at']}"
            )
