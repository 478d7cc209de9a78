"""The token in a resident's health-code QR: who and when, signed, good for CODE_TOKEN_SECONDS.

Model: the token is the identity's id with its issue time, signed (HMAC-SHA256, Django's TimestampSigner)
with the first key of HEALTH_CODE_KEYS under a salt of its own; every key in the list verifies. A
screenshot is worthless after the validity (the page fetches a new token before then), an altered
character breaks the signature, and a token signed with anything else (SECRET_KEY, a key dropped from the
list) is refused. Rotating: put the new key first and keep the old one after it until the tokens it signed
have expired (a minute); sessions and device cookies, signed with SECRET_KEY, are not affected. The token
holds no name or ID number: whoever reads it learns only an internal id, and the colour comes from the
server at verification.
"""

from django.conf import settings
from django.core import signing

from fangkong.healthcodes.models import Identity
from fangkong.lib.errors import RuleError

SALT = "fangkong.codes.health-code"  # unchanged by the move: tokens on screens stay valid


class InvalidToken(RuleError):
    """A token that is forged, altered, expired or points at nobody; the message is fit to show."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__({"token": message}, code=code)
        self.message = message


FORGED = "健康码无效：二维码不完整或已被改动，请当面出示本人健康码"
EXPIRED = "健康码已过期：请刷新页面后重新出示（截图无效）"


def _signer() -> signing.TimestampSigner:
    keys = list(settings.HEALTH_CODE_KEYS)
    return signing.TimestampSigner(key=keys[0], fallback_keys=keys[1:], salt=SALT)


def make_token(identity: Identity) -> str:
    return _signer().sign(str(identity.pk))


def read_token(token: str) -> Identity:
    """The identity a genuine, unexpired token was made for; InvalidToken otherwise."""
    try:
        value = _signer().unsign((token or "").strip(), max_age=settings.CODE_TOKEN_SECONDS)
    except signing.SignatureExpired:
        raise InvalidToken(EXPIRED, code="expired") from None
    except signing.BadSignature:
        raise InvalidToken(FORGED) from None
    identity = (
        Identity.objects.select_related("person__node").filter(pk=int(value)).first()
        if value.isdigit()
        else None
    )
    if identity is None:
        raise InvalidToken(FORGED)
    return identity
