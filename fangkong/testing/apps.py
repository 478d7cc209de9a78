from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "fangkong.testing"
    verbose_name = "核酸检测"

    def ready(self):
        # A positive single test colours the health code red (healthcodes/rules.py: the "positive_test" rule).
        from fangkong.healthcodes.rules import register_input
        from fangkong.testing import providers

        register_input("positive_tests", providers.positives, plain_sql=providers.POSITIVES_SQL)
