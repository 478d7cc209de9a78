"""The pages answer, and one click leads from a positive result to the whole trace; a grid worker of
grid 08 sees nothing of the county's cold chain."""

import datetime as dt

import pytest
from django.urls import reverse

from fangkong.coldchain import actions

from .conftest import DAY, documents


@pytest.fixture
def positive(world, cold):
    admin = world.county_admin
    documents(admin, cold.lot)
    sample = actions.record_sample(
        actor=admin, store=cold.warehouse, kind="goods", code="G-9", sampled_on=DAY, lot=cold.lot
    )
    actions.record_result(actor=admin, sample=sample, result="positive", result_on=DAY + dt.timedelta(days=1))
    return sample


def test_it_shows_every_page_to_the_county(client, world, cold, positive):
    client.force_login(world.county_admin)
    for url in [
        reverse("coldchain_home"),
        reverse("coldstore_board"),
        reverse("coldstore_create"),
        reverse("coldstore_detail", args=[cold.warehouse.pk]),
        reverse("lot_create", args=[cold.warehouse.pk]),
        reverse("coldworker_add", args=[cold.warehouse.pk]),
        reverse("lot_detail", args=[cold.lot.pk]),
        reverse("lot_trace", args=[cold.lot.pk]),
        reverse("coldsample_list"),
        reverse("coldsample_create"),
        reverse("coldsample_detail", args=[positive.pk]),
        reverse("coldsample_trace", args=[positive.pk]),
        reverse("coldchain_export_lots"),
        reverse("coldchain_export_movements"),
        reverse("coldchain_import"),
    ]:
        assert client.get(url).status_code == 200, url


def test_one_click_from_the_positive_result_to_the_trace(client, world, cold, positive):
    client.force_login(world.county_admin)
    page = client.get(reverse("coldsample_detail", args=[positive.pk])).content.decode()
    trace_url = reverse("coldsample_trace", args=[positive.pk])
    assert f'id="trace-link" href="{trace_url}"' in page
    trace = client.get(trace_url).content.decode()
    assert "东昌府区进口冷链食品集中监管仓" in trace and "已封存" in trace


def test_the_release_refusal_reaches_the_page(client, world, cold):
    client.force_login(world.county_admin)
    response = client.post(reverse("lot_release", args=[cold.lot.pk]), follow=True)
    assert "缺少入境货物检验检疫证明、消毒证明、核酸检测报告、追溯信息" in response.content.decode()


def test_the_board_names_each_manager(client, world, cold):
    client.force_login(world.county_admin)
    page = client.get(reverse("coldstore_board")).content.decode()
    for manager in ("赵库长", "钱库长", "孙库长", "李库长"):
        assert manager in page


def test_grid08_sees_nothing_of_the_county(client, world, cold, positive):
    client.force_login(world.grid08_worker)
    assert client.get(reverse("coldstore_detail", args=[cold.warehouse.pk])).status_code == 404
    assert client.get(reverse("lot_detail", args=[cold.lot.pk])).status_code == 404
    assert client.get(reverse("coldsample_trace", args=[positive.pk])).status_code == 404
