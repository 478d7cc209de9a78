from django.apps import AppConfig


class SuppliesConfig(AppConfig):
    name = "fangkong.supplies"
    verbose_name = "防疫物资"
