from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "fangkong.schools"
    verbose_name = "学校防控"
