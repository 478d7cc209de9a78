from django.apps import AppConfig


class DisinfectionConfig(AppConfig):
    name = "fangkong.disinfection"
    verbose_name = "消杀"
