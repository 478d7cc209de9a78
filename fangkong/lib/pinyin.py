"""Pinyin keys for finding people by name: 张伟 → "zhangwei" and initials "zw"."""

from pypinyin import Style, lazy_pinyin

# Surnames read differently from the same character elsewhere: pypinyin reads 曾国藩 as "ceng guo fan",
# but a grid worker searches for "zeng" or "zgf". Only the first character (the surname) is corrected,
# and only for surnames with one usual reading.
_SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "缪": "miao",
    "翟": "zhai",
    "种": "chong",
}


def pinyin_keys(name: str) -> tuple[str, str]:
    name = name or ""
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
    if syllables and name[0] in _SURNAME_READINGS:
        syllables[0] = _SURNAME_READINGS[name[0]]
    return "".join(syllables), "".join(s[0] for s in syllables if s)
