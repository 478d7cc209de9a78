"""Someone sent to hospital is watched by the hospital: their caretakers owe no follow-ups meanwhile."""

import datetime as dt

from django.utils import timezone

from fangkong.measures import actions, queries
from fangkong.policy.models import Kind


def test_it_takes_a_hospital_stay_off_the_worklist_and_the_overdue_list(world, people):
    admin, zhang = world.county_admin, people["zhang"]
    started = timezone.now() - dt.timedelta(days=2)
    measure = actions.start_measure(actor=admin, person=zhang, kind=Kind.HOME_QUARANTINE, started_at=started)
    actions.assign_caretaker(actor=admin, measure=measure, user=world.grid07_worker, role="grid_worker")
    assert [row["measure"] for row in queries.worklist(world.grid07_worker)] == [measure]
    assert list(queries.overdue(admin)) == [measure]

    hospital = actions.transfer_measure(
        actor=admin,
        measure=measure,
        version=measure.version,
        kind=Kind.HOSPITAL,
        at=started + dt.timedelta(hours=1),
    )
    assert hospital.caretakers.filter(user=world.grid07_worker).exists()  # still theirs to know about
    assert queries.worklist(world.grid07_worker) == []
    assert list(queries.overdue(admin)) == []
