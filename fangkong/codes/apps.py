from django.apps import AppConfig


class CodesConfig(AppConfig):
    """Only the migrations of the tables that venues, healthcodes and checkpoints took over (their tables
    keep the codes_ names). Kept installed so that a database created before the split, and a new one,
    migrate through the same history; it holds no models and no code."""

    name = "fangkong.codes"
    verbose_name = "场所码、健康码与卡口（迁移历史）"
