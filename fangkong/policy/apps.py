from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "fangkong.policy"
    verbose_name = "防控政策"
