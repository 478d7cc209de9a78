"""Forms of the situation report page: the moment the report is made as of, and the text people write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangkong.lib.errors import RuleError
from fangkong.situation import compose


class AsOfForm(forms.Form):
    """截至时间: "2020-01-28T12:00" from the browser's picker, or as people type it (2020年1月28日12时)."""

    as_of = forms.CharField(
        label=_("截至时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 3600}),
        help_text=_("当日0时表示前一日24时"),
    )

    def clean_as_of(self):
        text = self.cleaned_data.get("as_of") or ""
        if not text.strip():
            return compose.default_as_of()
        try:
            return compose.parse_as_of(text)
        except RuleError as exc:
            raise ValidationError(exc.errors["as_of"]) from None

    def moment(self):
        """The moment asked for; the current hour when nothing (valid) was asked."""
        if self.is_valid():
            return self.cleaned_data["as_of"]
        return compose.default_as_of()

    @staticmethod
    def value_of(moment) -> str:
        return moment.astimezone(compose.SHANGHAI).strftime("%Y-%m-%dT%H:%M")


class NotesForm(forms.Form):
    issuer = forms.CharField(
        label=_("发文单位"),
        required=False,
        max_length=compose.ISSUER_LIMIT,
        help_text=_("留空则为“辖区名称＋新冠肺炎疫情防控指挥部”"),
    )
    problems = forms.CharField(
        label=_("存在问题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一段；以“（一）”开头的一行，第一句排为小标题"),
    )
    next_steps = forms.CharField(
        label=_("下一步工作"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    seen = forms.CharField(required=False, widget=forms.HiddenInput)
