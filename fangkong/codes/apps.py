from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "fangkong.codes"
    verbose_name = "场所码、健康码与卡口"
