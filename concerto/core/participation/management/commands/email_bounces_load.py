"""Count the bounces listed in a file, for mail providers without a webhook (participation/bounces.py).

    manage.py email_bounces_load bounces.csv      # lines "address,hard|soft,id"; "-" reads standard input

The id (the provider's message id, or the bounce's date) tells two bounces of one address apart; a file loaded
twice counts once."""

import sys

from django.core.management.base import BaseCommand, CommandError

from concerto.core.participation.bounces import BounceInputError, bounce_lines_record


class Command(BaseCommand):
    help = "Count the email bounces listed in a CSV file (address,hard|soft,id)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, or - for standard input")

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                counted, ignored = bounce_lines_record(sys.stdin)
            else:
                with open(file, encoding="utf-8-sig", newline="") as lines:
                    counted, ignored = bounce_lines_record(lines)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except (BounceInputError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{counted} bounces counted, {ignored} ignored (already counted).")
