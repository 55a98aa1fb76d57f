#!/usr/bin/env python
"""Django's command-line entry point for Chengxin."""

import sys


def main():
    from config.environment import select_settings

    select_settings()  # DJANGO_SETTINGS_MODULE from the environment or .env
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
