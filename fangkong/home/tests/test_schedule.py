"""The scheduled jobs: each names a command that exists, at the time its job needs."""

from django.core.management import get_commands

from fangkong.home import schedule


def test_it_names_commands_that_exist():
    commands = get_commands()
    assert all(job.command.replace("-", "_") in commands for job in schedule.JOBS)


def test_it_refreshes_the_statistics_every_night():
    job = next(job for job in schedule.JOBS if job.command == "refresh-statistics")
    minute, hour, *every_day = job.cron.split()
    assert every_day == ["*", "*", "*"] and 0 <= int(hour) < 6


def test_it_sends_the_report_reminders_every_quarter_hour():
    job = next(job for job in schedule.JOBS if job.command == "send-report-reminders")
    assert job.cron == "*/15 * * * *"
