"""The site's middleware. It stays at the root beside settings.py, which names it in MIDDLEWARE: it
wraps every app's requests and imports none of them."""

import ipaddress

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose English with the language switch (a cookie).
    The browser's Accept-Language is not consulted: staff on shared or English-set machines, and
    WeChat's browser, would otherwise get English they never asked for."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def client_address(peer: str, forwarded_for: str, trusted: list) -> str:
    """The client's address: the peer itself, unless the peer is a trusted proxy; then the right-most
    address of X-Forwarded-For that is not a trusted proxy (what is left of it, the client may forge)."""
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop if _is_address(hop) else peer
    return hops[0] if hops and _is_address(hops[0]) else peer


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, trusted: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


class ClientAddressMiddleware:
    """Behind a reverse proxy every request comes from the proxy: REMOTE_ADDR is replaced by the client's
    address when the peer is in TRUSTED_PROXIES, so the login limits, the audit log and the check-in
    limits see the real client. The proxy's own address stays in META["PEER_ADDR"]."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = [ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES]
        peer = request.META.get("REMOTE_ADDR", "")
        request.META["PEER_ADDR"] = peer
        request.META["REMOTE_ADDR"] = client_address(
            peer, request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted
        )
        return self.get_response(request)


# Only the site's own files run. Styles may be inline: some pages carry a <style> block or a style
# attribute, and htmx adds its indicator style; scripts may not (no inline handler, no eval).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The checkpoint page reads QR codes with the camera; nothing else needs a device.
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()"
)


class SecurityHeadersMiddleware:
    """The headers a production site sends on every answer: CSP, Permissions-Policy, HSTS when the
    cookies are secure (the site is on HTTPS), and no-store on every page and API answer, since they
    show personal data that a shared phone or a proxy must not keep. Static files stay cacheable, and a
    view that set its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if settings.SESSION_COOKIE_SECURE and settings.HSTS_SECONDS:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={settings.HSTS_SECONDS}")
        if not request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
