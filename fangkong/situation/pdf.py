"""The situation report as PDF: the .docx converted by LibreOffice when it is installed
(`soffice --headless --convert-to pdf`). Without it there is no PDF: the page hides the button and the
CLI says so. Each conversion runs with its own throw-away LibreOffice profile, so two conversions at once
(two users, or the tests) do not fight over one profile's lock."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from fangkong.lib.errors import RuleError

TIMEOUT_SECONDS = 120
UNAVAILABLE = "服务器未安装 LibreOffice（soffice），无法生成 PDF；请下载 .docx 文件"


def converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return converter() is not None


def convert(docx: bytes, *, timeout: int = TIMEOUT_SECONDS) -> bytes:
    program = converter()
    if program is None:
        raise RuleError({"format": UNAVAILABLE}, code="unavailable")
    with tempfile.TemporaryDirectory(prefix="fangkong-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "report.docx"
        source.write_bytes(docx)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RuleError({"format": f"生成 PDF 超时（{timeout}秒）；请下载 .docx 文件"}) from None
        target = folder / "report.pdf"
        if not target.exists():
            detail = (result.stderr or result.stdout).decode(errors="replace").strip()[:200]
            raise RuleError({"format": f"LibreOffice 未能生成 PDF：{detail or '无输出'}"})
        return target.read_bytes()
