"""signals_alarming in the indicators and the early-warning paragraph of the situation report, recounted."""

import datetime as dt

from django.utils import timezone

from fangkong.measures.rules import local_midnight
from fangkong.reporting import indicators
from fangkong.situation.compose import Figure, compose, figure
from fangkong.situation.early_warning import early_warning_section
from fangkong.surveillance import actions
from fangkong.surveillance.models import Signal
from fangkong.surveillance.tests.conftest import clinics, visits  # noqa: F401 — the fixtures


def test_indicator_and_paragraph(world, visits):  # noqa: F811 — the fixture imported above
    actions.run_detection(day=visits["end"])
    values = indicators.compute(world.township, visits["end"], codes=["signals_alarming"])
    recount = len(
        {
            (s.node_id, s.series)
            for s in Signal.objects.filter(day=visits["end"], alarm=True).select_related("node")
            if s.node.path.startswith(world.township.path)
        }
    )
    assert values["signals_alarming"] == recount >= 1
    # the paragraph as the report writes it for day D with alerts raised before its moment
    lines = early_warning_section(world.township, values, visits["end"], timezone.now(), figure=figure)[0]
    figures = [s for s in lines if isinstance(s, Figure)]
    assert figures[0].code == "signals_alarming" and figures[0].value == recount
    text = "".join(s.text if isinstance(s, Figure) else s for s in lines)
    assert "前屯村委会" in text and "25" in text
    # the report as of the end of D was made before the run: nothing to say yet
    situation = compose(node=world.township, as_of=local_midnight(visits["end"] + dt.timedelta(days=1)))
    assert not [p for p in situation.paragraphs if p.section == "early_warning"]
