from django.apps import AppConfig


class ColdchainConfig(AppConfig):
    name = "fangkong.coldchain"
    verbose_name = "冷链监管"

    def ready(self):
        # Workers who handled the goods of a positive sample are owed a test: testing's schedule lists
        # them (testing/sources.py) beside the key groups' regular tests.
        from fangkong.coldchain import queries
        from fangkong.testing import sources

        if queries.trace_tests_due not in sources.DUE:
            sources.DUE.append(queries.trace_tests_due)
