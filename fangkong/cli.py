"""The `fangkong` command: Django's management commands with the settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `fangkong load-divisions` runs the load_divisions command
    execute_from_command_line(["fangkong", *args])


if __name__ == "__main__":
    main()
