from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "fangkong.markets"
    verbose_name = "市场监管"
