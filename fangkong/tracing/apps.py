from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "fangkong.tracing"
    verbose_name = "病例与流调"

    def ready(self):
        # Cases and undecided venue candidates colour the health code (healthcodes/rules.py), each with
        # its test for the kiosk's one statement so plain check-ins stay in it.
        from fangkong.healthcodes.rules import register_input
        from fangkong.tracing import providers

        register_input("cases", providers.cases, plain_sql=providers.CASES_SQL)
        register_input("co_presence", providers.candidates, plain_sql=providers.CANDIDATES_SQL)
