from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fangkong.audit"
    verbose_name = "审计日志"
