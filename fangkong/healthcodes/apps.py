from django.apps import AppConfig


class HealthcodesConfig(AppConfig):
    name = "fangkong.healthcodes"
    verbose_name = "健康码"
