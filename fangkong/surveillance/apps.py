from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "fangkong.surveillance"
    verbose_name = "监测预警"
