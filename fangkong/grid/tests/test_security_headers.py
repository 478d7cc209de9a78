"""Every answer carries the production headers: a Content-Security-Policy that allows only the site's
own scripts, a Permissions-Policy, HSTS when cookies are secure, and no-store on pages (they show
personal data) but not on static files."""

from django.conf import settings
from django.contrib.staticfiles import finders


def test_it_sends_the_security_headers_on_a_page(client, world, people):
    client.force_login(world.grid07_worker)
    response = client.get("/persons/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=(self)" in response["Permissions-Policy"]  # the checkpoint scans codes with it
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_it_keeps_pages_with_personal_data_out_of_caches_everywhere(client, world, people):
    client.force_login(world.county_admin)
    for url in ("/", f"/persons/{people['zhang'].pk}/", "/api/v1/persons", "/login/"):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_it_sends_hsts_only_with_secure_cookies(client, world, settings):
    settings.SESSION_COOKIE_SECURE = False
    assert not client.get("/login/").has_header("Strict-Transport-Security")
    settings.SESSION_COOKIE_SECURE = True
    assert client.get("/login/", secure=True)["Strict-Transport-Security"].startswith("max-age=")


def test_it_sends_browsers_asking_for_favicon_ico_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == f"{settings.STATIC_URL}fangkong/favicon.svg"
    assert finders.find("fangkong/favicon.svg")
    assert "no-store" not in response["Cache-Control"]
