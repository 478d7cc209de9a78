"""The split of codes/ into healthcodes, checkpoints and venues moves no row: a database holding venues,
check-ins, identities, risk areas, manual colours, appeals, checkpoints, shifts and passages written
before the split reads the same rows through the new apps' models after migrating. (The demo county
check, every table's count before and after, is scripts/check_migration_counts.py.)"""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from fangkong.checkpoints.models import Checkpoint, DutyShift, Passage
from fangkong.healthcodes.models import Appeal, Identity, ManualColour, RiskArea
from fangkong.venues.models import CheckIn, Venue

BEFORE = [("codes", "0004_verification_count")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_row_of_the_codes_tables():
    old = migrate(BEFORE)
    node = old.get_model("grid", "Jurisdiction").objects.create(
        code="371502", name="东昌府区", level="county", path="/371502/"
    )
    user = old.get_model("auth", "User").objects.create(username="before")
    now = timezone.now()
    identity = old.get_model("codes", "Identity").objects.create(
        id_number="371502199001011234", name="张伟", phone="13800000000"
    )
    venue = old.get_model("codes", "Venue").objects.create(
        node=node, name="前屯便民超市", kind="shop", code="v1"
    )
    old.get_model("codes", "CheckIn").objects.create(venue=venue, identity=identity, at=now)
    old.get_model("codes", "RiskArea").objects.create(
        node=node, name="某区", level="high", starts_on=now.date(), declared_by=node, created_by=user
    )
    old.get_model("codes", "ManualColour").objects.create(
        identity=identity, colour="yellow", reason="核查", node=node, set_by=user,
        starts_at=now, expires_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    old.get_model("codes", "Appeal").objects.create(
        identity=identity, colour="red", text="已解除隔离", node=node
    )
    checkpoint = old.get_model("codes", "Checkpoint").objects.create(
        node=node, name="东入口卡口", kind="road"
    )
    old.get_model("codes", "DutyShift").objects.create(
        checkpoint=checkpoint, user=user, starts_at=now, ends_at=now + dt.timedelta(hours=12)
    )
    old.get_model("codes", "Passage").objects.create(
        checkpoint=checkpoint, identity=identity, at=now, direction="in", recorded_by=user
    )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert Identity.objects.get().name == "张伟"
    assert CheckIn.objects.get().venue == Venue.objects.get(name="前屯便民超市")
    assert RiskArea.objects.count() == ManualColour.objects.count() == Appeal.objects.count() == 1
    assert Passage.objects.get().checkpoint == Checkpoint.objects.get() == DutyShift.objects.get().checkpoint
    assert Passage.objects.get().identity == Identity.objects.get()
