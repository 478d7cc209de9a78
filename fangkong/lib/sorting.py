"""Natural order for addresses as people write them: 1组2号 before 1组101号."""

import re
import unicodedata

_DIGITS = re.compile(r"\d+")
WIDTH = 10  # wider than any house, room or lot number


def _pad(match: re.Match) -> str:
    return match.group().lstrip("0").rjust(WIDTH, "0")


def natural_key(text: str) -> str:
    """The text with each run of digits left-padded with zeros, so that ordering the keys as plain
    strings, in the database too, puts 2 before 10. Full-width digits count as digits."""
    return _DIGITS.sub(_pad, unicodedata.normalize("NFKC", text or ""))
