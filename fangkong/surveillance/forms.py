from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("登记表（Excel 或 CSV）"))
    dry_run = forms.BooleanField(label=_("仅检查，不写入"), required=False)
