"""Masked display of personal data (DOMAIN.md §10): shown masked unless revealing is allowed and audited."""


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


def mask_name(name: str) -> str:
    """张* / 欧阳** : the surname stays, the given name is hidden."""
    if not name:
        return ""
    surname_length = 2 if len(name) >= 4 else 1
    return name[:surname_length] + "*" * (len(name) - surname_length)
