"""The situation report's own app moves no row: notes written while the model was reporting's read the
same through the situation app after migrating."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fangkong.situation.models import SituationNotes


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_notes_written_before_the_move():
    old = migrate([("reporting", "0001_initial")])
    node = old.get_model("grid", "Jurisdiction").objects.create(
        code="371502", name="东昌府区", level="county", path="/371502/"
    )
    old.get_model("reporting", "SituationNotes").objects.create(node=node, problems="一是个别村日报告迟报。")

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert SituationNotes.objects.get().problems == "一是个别村日报告迟报。"
    assert SituationNotes.objects.get().node.code == "371502"
