"""Email an activation link to staff whose roles wait (after the upgrade that made roles pending)."""

from django.core.management.base import BaseCommand

from concerto.core.accounts.models import Role, User
from concerto.core.backoffice.services import role_enrolment_send


class Command(BaseCommand):
    help = ("Email a new one-time activation link to every person with a role waiting for enrolment (or only "
            "to --email). Each new link cancels the ones sent before.")

    def add_arguments(self, parser):
        parser.add_argument("--email", help="only this person")

    def handle(self, *args, email=None, **options):
        people = User.objects.filter(pk__in=Role.objects.pending().values("user_id"), is_active=True)
        if email:
            people = people.filter(email__iexact=email.strip())
        sent = 0
        for user in people.order_by("email"):
            role_enrolment_send(actor=None, user=user)
            sent += 1
            self.stdout.write(f"link sent to {user.email}")
        self.stdout.write(f"{sent} link(s) sent.")
