"""The dashboard's vaccination panel: each figure is indicators.compute's; the figures by age band stay
off the headline (they are the coverage page's and the reports')."""

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.conftest import PASSWORD
from fangkong.reporting import indicators, vaccination
from fangkong.reporting.tests.test_dashboard_cases import cell
from fangkong.vaccination import actions


def test_it_shows_the_vaccination_panel(world, people):
    site = actions.create_site(actor=world.county_admin, node=world.township, name="梁水镇卫生院接种点")
    actions.record_dose(
        actor=world.county_admin,
        site=site,
        person=people["zhang"],
        product="ad5",
        given_on=timezone.localdate(),
    )
    client = Client()
    client.login(username=world.township_admin.username, password=PASSWORD)
    content = client.get(reverse("dashboard_node", args=[world.township.code])).content.decode()
    values = indicators.compute(world.township, timezone.localdate(), codes=vaccination.PANEL)
    assert values["vaccinated_full_pct"] == round(100 / 3, 1) and values["vaccination_doses_new"] == 1
    for code in vaccination.PANEL:
        assert cell(content, code) == str(values[code]), code
    assert 'id="figure-vaccinated_full_pct_60_plus"' not in content
