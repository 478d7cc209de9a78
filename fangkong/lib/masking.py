"""Masked display of personal data (DOMAIN.md §10): shown masked unless revealing is allowed and audited."""


class MaskedPersonalData:
    """`masked_*` properties for anything with `name`, `id_number` and `phone` (a person, a resident's
    code identity)."""

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def mask_id_number(number: str) -> str:
    """First 6 and last 4 characters: 440308********1234."""
    if not number:
        return ""
    if len(number) <= 10:
        return number[:2] + "*" * (len(number) - 2)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****5678."""
    if not phone:
        return ""
    if len(phone) < 8:
        return phone[:1] + "*" * (len(phone) - 1)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


# Two-character surnames: 欧阳修 shows as 欧阳*, not 欧**. A four-character name with an ordinary
# surname (or a minority name) keeps only its first character: hiding too much is the safe side.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 慕容 尉迟 公孙 夏侯 长孙 宇文 司徒 端木 轩辕 独孤 南宫 西门 "
    "呼延 申屠 澹台 万俟 闻人 赫连 钟离 太史 司空 百里 东郭 公羊 濮阳 淳于 单于 拓跋".split()
)


def mask_name(name: str) -> str:
    """张* / 欧阳** : the surname stays, the given name is hidden."""
    if not name:
        return ""
    surname_length = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:surname_length] + "*" * (len(name) - surname_length)
