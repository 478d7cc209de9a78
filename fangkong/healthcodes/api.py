"""The health-code API: verifying a resident's code (健康码核验).

A checkpoint phone, a venue door keeper's account or a partner system verifies a resident's code: the
same actions.verify_token as the checkpoint pages (rate-limited per account, audited)."""

from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status

from fangkong.grid.schemas import error_responses
from fangkong.healthcodes import actions
from fangkong.healthcodes.schemas import CodeVerifyIn, CodeVerifyOut

router = Router()


def token_in(text: str) -> str:
    """The token alone, also when a scanner passes the whole verification URL (…/r/code/v/<token>/)."""
    text = text.strip()
    return text.rstrip("/").rsplit("/", 1)[-1] if "/code/v/" in text else text


@router.post(
    "/codes/verify",
    response={200: CodeVerifyOut, **error_responses(401, 403, 410, 422, 429)},
    summary="核验健康码",
    description=(
        "令牌 → 颜色、脱敏姓名；持码人在核验人辖区内时另返回赋码原因、预计转绿日期和脱敏身份证号。"
        "伪造、改动的令牌返回 422，过期的返回 410（原因见 message）；每个账号每分钟核验次数有上限（429）。"
    ),
    tags=["健康码"],
    operation_id="fangkong_codes_api_verify_code",  # as published before the split of codes/
)
def verify_code(request, payload: CodeVerifyIn):
    try:
        verified = actions.verify_token(request.auth, token_in(payload.token), request=request)
    except actions.TooManyVerifications as exc:
        raise HttpError(429, str(exc)) from None
    except actions.tokens.InvalidToken as exc:
        if exc.code != "expired":
            raise
        return Status(410, {"code": "expired", "message": exc.message, "errors": exc.errors})
    return verified
