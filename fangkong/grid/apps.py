from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "fangkong.grid"
    verbose_name = "辖区与账号"
