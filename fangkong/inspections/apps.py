from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "fangkong.inspections"
    verbose_name = "督查与整改"
