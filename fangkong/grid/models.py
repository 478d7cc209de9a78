import hashlib

from django.conf import settings
from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（区）"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村（社区）"
    GRID = "grid", "网格"


LEVEL_DEPTH = {level: depth for depth, level in enumerate(Level.values)}


class Jurisdiction(models.Model):
    """A node of the tree. `path` is the codes from the root joined by '/', ending in '/':
    a subtree is one indexed prefix match (path__startswith)."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True)
    vintage = models.CharField("区划代码年份", max_length=10, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = "辖区"

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
    ADMIN = "admin", "管理员"
    TOWNSHIP_STAFF = "township_staff", "乡镇（街道）工作人员"
    VILLAGE_STAFF = "village_staff", "村（社区）工作人员"
    GRID_WORKER = "grid_worker", "网格员"
    UNIT_STAFF = "unit_staff", "单位工作人员"
    VIEWER = "viewer", "只读查看"


class Membership(models.Model):
    """A user sits at a node with a role and sees that node's subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "node"], name="one_role_per_user_and_node")]
        verbose_name = "岗位"

    def __str__(self):
        return f"{self.node} {self.get_role_display()}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """Failed logins, kept in the database so the lock-out holds across server processes."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"
