import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# With a context: the same words head the counts of a node's townships, villages and grids, which
# English writes in the plural.
class Level(models.TextChoices):
    PROVINCE = "province", pgettext_lazy("level", "省")
    CITY = "city", pgettext_lazy("level", "市")
    COUNTY = "county", pgettext_lazy("level", "县（区）")
    TOWNSHIP = "township", pgettext_lazy("level", "乡镇（街道）")
    VILLAGE = "village", pgettext_lazy("level", "村（社区）")
    GRID = "grid", pgettext_lazy("level", "网格")


LEVEL_DEPTH = {level: depth for depth, level in enumerate(Level.values)}


class Jurisdiction(models.Model):
    """A node of the tree. `path` is the codes from the root joined by '/', ending in '/':
    a subtree is one indexed prefix match (path__startswith)."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True)
    vintage = models.CharField(_("区划代码年份"), max_length=10, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("辖区")

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]

    def contains(self, other: "Jurisdiction") -> bool:
        return other.path.startswith(self.path)

    def ancestors(self):
        """From the root down to the parent, in one query."""
        parts = self.path.strip("/").split("/")[:-1]
        return Jurisdiction.objects.filter(code__in=parts).order_by("path")


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    TOWNSHIP_STAFF = "township_staff", _("乡镇（街道）工作人员")
    VILLAGE_STAFF = "village_staff", _("村（社区）工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    UNIT_STAFF = "unit_staff", _("单位工作人员")
    VIEWER = "viewer", _("只读查看")


class Membership(models.Model):
    """A user sits at a node with a role and sees that node's subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "node"], name="one_role_per_user_and_node")]
        verbose_name = _("岗位")

    def __str__(self):
        return f"{self.node} {self.get_role_display()}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """Failed logins, kept in the database so the lock-out holds across server processes."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"
