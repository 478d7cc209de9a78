from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "fangkong.command"
    verbose_name = "指挥部与值班"
