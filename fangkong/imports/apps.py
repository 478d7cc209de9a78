from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "fangkong.imports"
    verbose_name = "台账导入导出"
