"""A resident scans a venue poster on a phone, identifies, checks in and sees the colour; then opens their
health code. A grid worker on duty at the village gate, on a phone of their own, reads that code (the
QR decoded by the same vendored jsQR the scan page falls back on, and pasted into the form as a scanner
would fill it: a headless browser has no camera), sees the colour and the name, and records the passage."""

import datetime as dt

import pytest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.checkpoints.models import CheckpointKind, Passage
from fangkong.conftest import PASSWORD
from fangkong.healthcodes.models import Colour
from fangkong.venues.actions import create_venue
from fangkong.venues.models import CheckIn

from .fixtures import PHONE

pytestmark = pytest.mark.browser

# Draw the code page's QR (an inline SVG) on a canvas and decode it with jsQR: the text a camera would read.
DECODE_QR = """async (jsqr) => {
  if (!window.jsQR) {
    await new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = jsqr; script.onload = resolve; script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  const svg = document.querySelector(".rc-qr svg").cloneNode(true);
  svg.setAttribute("width", "400"); svg.setAttribute("height", "400");
  const image = new Image();
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(svg));
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = 440; canvas.height = 440;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; context.fillRect(0, 0, 440, 440);
  context.drawImage(image, 20, 20, 400, 400);
  const found = window.jsQR(context.getImageData(0, 0, 440, 440).data, 440, 440);
  return found ? found.data : null;
}"""


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_it_checks_in_at_a_venue_and_a_checkpoint_verifies_the_code(phone_page, page, world, people):
    venue = create_venue(actor=world.grid07_worker, node=world.grid07, name="七组小卖部", kind="shop")
    gate = checkpoint_actions.create_checkpoint(
        actor=world.township_admin, node=world.village, name="前屯村南口", kind=CheckpointKind.GATE
    )
    now = timezone.now()
    checkpoint_actions.assign_shift(
        actor=world.township_admin,
        checkpoint=gate,
        user=world.grid07_worker,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
    )
    zhang = people["zhang"]

    # The resident: the poster's URL on a phone, identify once, check in, see the colour.
    phone = phone_page
    phone.goto(f"/r/v/{venue.code}/")
    expect(phone.get_by_text("七组小卖部")).to_be_visible()
    phone.get_by_label("姓名").fill("张伟")
    phone.get_by_label("身份证号").fill(zhang.id_number)
    phone.get_by_label("手机号").fill("13812345678")
    phone.get_by_role("button", name="登记").click()
    shown = phone.get_by_role("status")
    expect(shown).to_contain_text("绿码")
    expect(shown).to_contain_text("张*")
    assert fits_the_screen(phone)
    assert CheckIn.objects.get(venue=venue).identity.person == zhang

    # The same phone shows the resident's code; the camera would read the URL in its QR.
    phone.goto(reverse("resident_code"))
    expect(phone.locator(".rc-box")).to_contain_text("绿码")
    scanned = phone.evaluate(DECODE_QR, static("vendor/jsqr/jsQR-1.4.0.js"))
    assert scanned and "/r/code/v/" in scanned

    # The checkpoint: a grid worker on duty at the village gate, on their phone.
    checker = page
    checker.set_viewport_size(PHONE)
    checker.goto(reverse("login"))
    checker.get_by_label("用户名").fill("grid07_worker")
    checker.get_by_label("密码").fill(PASSWORD)
    checker.get_by_role("button", name="登录").click()
    checker.wait_for_url(lambda url: "/login/" not in url)
    checker.goto(reverse("checkpoint_list"))
    expect(checker.locator("#my-shift")).to_contain_text("前屯村南口")
    checker.get_by_role("link", name="打开扫码登记").click()
    expect(checker.get_by_role("button", name="打开摄像头扫码")).to_be_visible()
    checker.evaluate("window.stillTheSamePage = true")

    checker.get_by_label("健康码").fill(scanned)
    checker.get_by_role("button", name="核验").click()
    colour = checker.locator("#cp-colour")
    expect(colour).to_contain_text("绿码")
    expect(colour).to_contain_text("张伟")  # a resident of the worker's own grid: the name in full

    record = checker.locator("#cp-result form")
    expect(record.get_by_label("体温（℃）")).to_have_attribute("inputmode", "decimal")  # numeric keypad
    record.get_by_label("体温（℃）").fill("36.6")
    record.get_by_label("来自何地").fill("聊城市区")
    record.get_by_role("button", name="登记", exact=True).click()
    expect(checker.locator("[data-recorded]")).to_contain_text("已登记：进，放行")
    expect(checker.locator("#cp-recent")).to_contain_text("张*")
    expect(checker.get_by_label("健康码")).to_have_value("")  # ready for the next person
    assert checker.evaluate("window.stillTheSamePage === true")
    assert fits_the_screen(checker)

    passage = Passage.objects.get(checkpoint=gate)
    assert passage.identity.person == zhang
    assert passage.colour_seen == Colour.GREEN and passage.temperature is not None
    assert passage.recorded_by == world.grid07_worker and passage.origin == "聊城市区"
