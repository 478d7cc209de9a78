from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW_PERSON = "view_person", _("查看人员详情")
    REVEAL = "reveal", _("查看完整证件号/电话")
    EXPORT = "export", _("导出")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    MOVE = "move", _("迁移")
    VERIFY = "verify", _("核查")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("登录锁定")
    USER_CHANGE = "user_change", _("账号变更")
    TOKEN = "token", _("API 令牌")
    IMPORT = "import", _("导入")
    PURGE = "purge", _("清除过期数据")


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Rows are only ever added.
    `node_path` is the path of the node the record belongs to, so the log is scoped like the records."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    node_path = models.CharField(max_length=255, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计记录")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target_label}"
