from django.apps import AppConfig


class SituationConfig(AppConfig):
    name = "fangkong.situation"
    verbose_name = "情况报告"
