from django.core.management.base import BaseCommand
from django.db import connection

from fangkong.registry.population import refresh_planner_statistics


class Command(BaseCommand):
    help = (
        "刷新数据库查询规划统计信息（ANALYZE）/ Refresh the query planner's statistics (ANALYZE): "
        "SQLite keeps none by itself, and without them lists read every person"
    )

    def handle(self, *args, **options):
        refresh_planner_statistics()
        self.stdout.write(f"ANALYZE: {connection.vendor}")
