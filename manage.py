#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["pb_count"]:
        # Counting a pabulib file needs neither the database nor the settings: the engine's own command
        # line answers without Django's start-up (see concerto/components/budgets/counting/cli.py).
        from concerto.components.budgets.counting.cli import main

        sys.exit(main(sys.argv[2:]))
    if sys.argv[1:2] == ["opinion_groups"] and "--import-into" not in " ".join(sys.argv[2:]):
        # The same for a Polis openData export's opinion groups (concerto/components/opinions/cli.py); only
        # importing it as a conversation (--import-into) needs Django.
        from concerto.components.opinions.cli import main

        sys.exit(main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
