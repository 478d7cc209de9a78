from django.apps import AppConfig


class VaccinationConfig(AppConfig):
    name = "fangkong.vaccination"
    verbose_name = "疫苗接种"
