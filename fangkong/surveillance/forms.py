from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("登记表（Excel 或 CSV）"))
    dry_run = forms.BooleanField(label=_("仅检查，不写入"), required=False)


class BoundariesForm(forms.Form):
    file = forms.FileField(label=_("乡镇边界文件（GeoJSON）"))
    source = forms.CharField(
        label=_("数据来源"),
        max_length=200,
        required=False,
        help_text=_("如：某年某单位发布的乡镇界线；示意图请注明“示意”"),
    )
