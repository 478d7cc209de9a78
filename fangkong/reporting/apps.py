from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "fangkong.reporting"
    verbose_name = "统计与报告"
