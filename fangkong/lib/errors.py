class RuleError(Exception):
    """A write refused by a rule. `errors` maps field name (or "__all__") to a reason in Chinese;
    the web shows them on the form, the API returns them with a 4xx, the CLI prints them."""

    def __init__(self, errors: dict[str, str], *, code: str = "invalid"):
        super().__init__("；".join(errors.values()))
        self.errors = errors
        self.code = code


class StaleEdit(RuleError):
    """Someone else saved the record after this edit was started."""

    def __init__(self, label: str = "记录"):
        super().__init__({"__all__": f"{label}已被他人修改，请刷新后重新编辑"}, code="conflict")
