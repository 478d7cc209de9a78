"""The scheduled jobs of every app, in one place. The task backend (django-tasks) is not set up yet, so the jobs run
from the system scheduler, each as a `fangkong` command (one process per run; the command exits):

cron (as the user that runs the site, with its environment: SECRET_KEY, DATABASE_URL …):

    CRON_TZ=Asia/Shanghai
    # m  h  dom mon dow  command
    15   2  *   *   *    cd /srv/fangkong && .venv/bin/fangkong purge-checkins >> var/log/purge.log 2>&1

or a systemd timer (fangkong-purge-checkins.service + .timer):

    [Service]
    Type=oneshot
    WorkingDirectory=/srv/fangkong
    EnvironmentFile=/etc/fangkong.env
    ExecStart=/srv/fangkong/.venv/bin/fangkong purge-checkins

    [Timer]
    OnCalendar=*-*-* 02:15:00 Asia/Shanghai
    Persistent=true

`python -m fangkong.home.schedule` prints the crontab lines for JOBS below. A job must be safe to run twice
(a missed run is caught up by the next one; `Persistent=true` runs a missed one at boot).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    cron: str  # minute hour day-of-month month day-of-week, Asia/Shanghai
    command: str  # a `fangkong` command with its arguments
    why: str


JOBS = [
    Job(
        name="purge-checkins",
        cron="15 2 * * *",
        command="purge-checkins",
        why="扫码记录超过政策保存期限（默认28天）后删除，按县执行并写审计日志（DOMAIN.md §10）",
    ),
    Job(
        name="send-report-reminders",
        cron="*/15 * * * *",
        command="send-report-reminders",
        why="日报告截止时间（默认次日10:00，可按辖区设置）过后，提醒缺报单位的工作人员；每人每单位每天一条，重复运行不重复提醒",
    ),
    Job(
        name="check-clocks",
        cron="*/10 * * * *",
        command="check-clocks",
        why="病例时限（2小时网络直报、4小时核心信息流调、24小时流调报告、24小时密接判定并管控，按政策设置）超时即预警，每例每项只预警一次，完成后自动处置（DOMAIN.md §12）",
    ),
    Job(
        name="detect-signals",
        cron="30 10 * * *",
        command="detect-signals",
        why="早期预警：日报截止（默认10:00）后，对前一日各监测序列（发热门诊、随访和卡口发热、新增病例等）按 EARS C1/C2/C3 计算预警上限，超上限向本级和上一级预警；重复运行不重复预警（DOMAIN.md §17）",
    ),
    Job(
        name="keep-figures",
        cron="20,50 * * * *",
        command="keep-figures",
        why="数据看板：计算并保存已结束各日（近30天）的指标，至乡镇一级；补录、更正使某日指标失效后，下一次运行重新计算，看板即可直接读取；重复运行只补缺失或失效的",
    ),
    Job(
        name="refresh-statistics",
        cron="40 3 * * *",
        command="refresh-statistics",
        why="刷新查询统计信息（ANALYZE）：SQLite 不会自行统计，缺少统计时名单查询会逐人读取（见 bench/README.md）；PostgreSQL 的自动清理也做，重复运行无害",
    ),
    Job(
        name="escalate-rectifications",
        cron="5 * * * *",
        command="escalate-rectifications",
        why="整改期限当日24时后未销号的整改单上报上一级，此后每隔政策设定的天数（默认3天）再上报一级，至县为止；重复运行不重复上报（DOMAIN.md §16）",
    ),
]


def crontab(*, directory: str = "/srv/fangkong") -> str:
    return "CRON_TZ=Asia/Shanghai\n" + "\n".join(
        f"{job.cron} cd {directory} && .venv/bin/fangkong {job.command}  # {job.name}" for job in JOBS
    )


if __name__ == "__main__":
    print(crontab())
