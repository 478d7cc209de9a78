"""Forms of the ledgers' import and export pages: they parse; the rules live in measures/ledgers/."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Level

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXTENSIONS = (".xlsx", ".xls", ".csv")


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.level == Level.GRID and obj.parent_id:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


class ReturneeUploadForm(forms.Form):
    node = NodeChoiceField(
        label=_("导入到"),
        queryset=None,
        to_field_name="code",
        error_messages={"required": _("请选择导入到哪个村（社区）或网格")},
    )
    file = forms.FileField(
        label=_("返乡人员登记表"),
        help_text=_("Excel（.xlsx）或 CSV 文件，20 MB 以内"),
        error_messages={"required": _("请选择要上传的文件"), "empty": _("文件是空的")},
    )

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请分批导入"))
        return upload


class ReturneeExportForm(forms.Form):
    node = NodeChoiceField(
        label=_("辖区"), queryset=None, to_field_name="code", error_messages={"required": _("请选择辖区")}
    )
    full = forms.BooleanField(label=_("导出完整的证件号码和电话（将记入审计日志）"), required=False)

    def __init__(self, *args, nodes, can_reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        if not can_reveal:
            del self.fields["full"]
