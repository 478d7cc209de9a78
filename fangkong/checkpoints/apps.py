from django.apps import AppConfig


class CheckpointsConfig(AppConfig):
    name = "fangkong.checkpoints"
    verbose_name = "卡口"

    def ready(self):
        # A checkpoint's temperatures count for the colour; its node places a visitor's appeal.
        from fangkong.checkpoints import queries
        from fangkong.healthcodes import sources

        sources.READINGS.append(queries.temperature_readings)
        sources.LAST_SEEN.append(queries.last_seen_at)
