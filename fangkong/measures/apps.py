from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "fangkong.measures"
    verbose_name = "重点人员管控"
