from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "fangkong.venues"
    verbose_name = "场所码与扫码登记"

    def ready(self):
        # Where a visitor last checked in places their appeal (after checkpoints: INSTALLED_APPS order).
        from fangkong.healthcodes import sources
        from fangkong.venues import queries

        sources.LAST_SEEN.append(queries.last_seen_at)
