"""Values as a person types them into a form: yesterday's date, a time an hour ago, a sheet to upload."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangkong.imports.tests.sheets import workbook


def upload(header, values) -> SimpleUploadedFile:
    """A spreadsheet of one row under its header, as a file field sends it."""
    return SimpleUploadedFile("名单.xlsx", workbook([values], header=header))


def yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def an_hour_ago() -> str:
    return (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
