"""Reset a staff member's two-factor authentication from the command line, when no administrator above them
can do it from the team page (the Métropole's last administrator lost their phone)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from concerto.core.accounts.models import User
from concerto.core.backoffice.services import staff_second_factor_reset


class Command(BaseCommand):
    help = ("Remove the authenticator app and recovery codes of EMAIL, put their roles back to waiting and "
            "email them a new activation link. Check who is asking first, in person.")

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account uses {email}.")
        try:
            staff_second_factor_reset(actor=None, user=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Two-factor authentication of {user.email} reset; a new activation link is sent.")
