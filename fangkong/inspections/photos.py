"""Photos of findings, kept under VAR_DIR/inspections/ by a random name and served only through the
inspection's scoped page (they show people's workplaces: never a public URL)."""

import secrets
from pathlib import Path

from django.conf import settings

from fangkong.lib.errors import RuleError

MAX_BYTES = 8 * 1024 * 1024
KINDS = {
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"\x89PNG": ("png", "image/png"),
    b"RIFF": ("webp", "image/webp"),
}


def directory() -> Path:
    path = Path(settings.VAR_DIR) / "inspections"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def kind_of(data: bytes) -> tuple[str, str] | None:
    for magic, kind in KINDS.items():
        if data.startswith(magic):
            return kind
    return None


def save(data: bytes, *, field: str = "photo") -> str:
    """Keep the photo; its file name for Result.photo. Refused unless JPEG, PNG or WebP of sane size."""
    if len(data) > MAX_BYTES:
        raise RuleError({field: "照片不能超过 8 MB"})
    kind = kind_of(data)
    if kind is None:
        raise RuleError({field: "照片须为 JPG、PNG 或 WebP 格式"})
    name = f"{secrets.token_urlsafe(18)}.{kind[0]}"
    (directory() / name).write_bytes(data)
    return name


def open_photo(name: str) -> tuple[bytes, str] | None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = directory() / name
    if not path.is_file():
        return None
    data = path.read_bytes()
    kind = kind_of(data)
    return (data, kind[1]) if kind else None
