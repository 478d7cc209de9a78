"""Uploaded files kept between the preview and the confirm, under VAR_DIR/imports/, named by a random
token: the confirm reads the file kept here and never asks for it again. Only the user who uploaded a
file can reach it. Files hold personal data, so they are private to the server account and purged
after a few days."""

import datetime as dt
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from .reading import kept_in

KEEP_FOR = dt.timedelta(days=3)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass
class Upload:
    token: str
    user_id: int
    node_code: str
    filename: str
    uploaded_at: str
    result: dict | None = None  # the summary once confirmed
    plan: list = field(default_factory=list)


def directory() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _paths(token: str) -> tuple[Path, Path]:
    base = directory()
    return base / f"{token}.json", base / f"{token}.data"


def read_once(upload: Upload):
    """A block within which the upload's table is read from the file once, then kept beside it: a
    preview reload, the confirm and the rejected rows do not parse the workbook again."""
    return kept_in(directory() / f"{upload.token}.table.json")


def save_upload(*, user, node_code: str, filename: str, data: bytes) -> Upload:
    purge_stale()
    upload = Upload(
        token=secrets.token_urlsafe(24),
        user_id=user.pk,
        node_code=node_code,
        filename=Path(filename).name[:200],
        uploaded_at=timezone.now().isoformat(),
    )
    meta, content = _paths(upload.token)
    content.touch(mode=0o600)
    content.write_bytes(data)
    _write_meta(meta, upload)
    return upload


def _write_meta(path: Path, upload: Upload) -> None:
    path.touch(mode=0o600)
    path.write_text(json.dumps(asdict(upload), ensure_ascii=False), encoding="utf-8")


def load_upload(user, token: str) -> Upload:
    """The user's own upload, or Http404 (the same for a wrong, expired or someone else's token)."""
    if not _TOKEN.match(token or ""):
        raise Http404
    meta, content = _paths(token)
    try:
        upload = Upload(**json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise Http404 from None
    if upload.user_id != user.pk or not content.exists():
        raise Http404
    return upload


def upload_data(upload: Upload) -> bytes:
    return _paths(upload.token)[1].read_bytes()


def mark_done(upload: Upload, *, result: dict, plan: list) -> None:
    upload.result, upload.plan = result, plan
    _write_meta(_paths(upload.token)[0], upload)


def purge_stale(*, now: dt.datetime | None = None) -> int:
    """Delete uploads older than KEEP_FOR; returns how many files went."""
    cutoff = (now or timezone.now()).timestamp() - KEEP_FOR.total_seconds()
    removed = 0
    for path in directory().iterdir():
        if path.suffix in (".json", ".data") and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
