from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fangkong.registry"
    verbose_name = "实有人口"
