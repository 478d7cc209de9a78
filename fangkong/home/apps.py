from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "fangkong.home"
    verbose_name = "首页"
