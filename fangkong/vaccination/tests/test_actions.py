"""Actions of the ledger: idempotence, refusals, and the recount after a change of the product table."""

import pytest

from fangkong.lib.errors import RuleError
from fangkong.policy.actions import set_policy
from fangkong.policy.presets import VACCINATION
from fangkong.vaccination import actions
from fangkong.vaccination.models import Dose
from fangkong.vaccination.tests.conftest import days_ago


def test_it_finds_the_same_dose_sent_twice(world, people, site):
    zhang = people["zhang"]
    first, created = actions.record_dose(
        actor=world.county_admin,
        person=zhang,
        site=site,
        product="bibp",
        given_on=days_ago(5),
        client_key="k1",
    )
    again, created_again = actions.record_dose(
        actor=world.county_admin, person=zhang, site=site, product="bibp", given_on=days_ago(5)
    )
    assert created and not created_again and first.pk == again.pk
    with pytest.raises(RuleError):  # another product on a day that has a dose
        actions.record_dose(
            actor=world.county_admin, person=zhang, site=site, product="ad5", given_on=days_ago(5)
        )
    with pytest.raises(RuleError):  # the key of another dose
        actions.record_dose(
            actor=world.county_admin,
            person=zhang,
            site=site,
            product="bibp",
            given_on=days_ago(4),
            client_key="k1",
        )


def test_a_grid_worker_cannot_record_at_a_site_above_them(world, people, site):
    with pytest.raises(RuleError):
        actions.record_dose(
            actor=world.grid07_worker, person=people["zhang"], site=site, product="ad5", given_on=days_ago(1)
        )


def test_a_dose_entered_late_rereads_the_history(world, people, site):
    zhang = people["zhang"]
    second, _ = actions.record_dose(
        actor=world.county_admin, person=zhang, site=site, product="bibp", given_on=days_ago(10)
    )
    assert second.reaches_first and not second.reaches_full
    actions.record_dose(
        actor=world.county_admin, person=zhang, site=site, product="bibp", given_on=days_ago(40)
    )
    second.refresh_from_db()
    assert second.reaches_full and not second.reaches_first


def test_the_recount_follows_a_new_product_table(world, people, site):
    zhang = people["zhang"]
    for days in (60, 30):
        actions.record_dose(
            actor=world.county_admin, person=zhang, site=site, product="bibp", given_on=days_ago(days)
        )
    assert Dose.objects.filter(reaches_full=True).count() == 1
    products = {**VACCINATION["products"], "bibp": {**VACCINATION["products"]["bibp"], "primary_doses": 3}}
    set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=days_ago(100),
        preset="2021",
        overrides={"vaccination": {"products": products}},
    )
    assert actions.recount(actor=world.county_admin, node=world.county) == 1
    assert Dose.objects.filter(reaches_full=True).count() == 0
