from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "fangkong.tracing"
    verbose_name = "病例与流调"
