"""Give a role from the command line (the first Métropole administrator of a new installation, say)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from concerto.core.accounts.models import Role, User
from concerto.core.backoffice.services import role_grant
from concerto.core.territory.models import Organisation


class Command(BaseCommand):
    help = ("Give the role KIND on the organisation ORG_SLUG to the account EMAIL. The role waits until its "
            "holder follows the activation link emailed to them and sets up an authenticator app.")

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("org_slug")
        parser.add_argument("kind", choices=Role.Kind.values)

    def handle(self, *args, email, org_slug, kind, **options):
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account uses {email}: the person signs up first.")
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None:
            raise CommandError(f"No organisation is called {org_slug!r} (see manage.py load_organisations).")
        try:
            role = role_grant(actor=None, organisation=organisation, user=user, kind=kind)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        state = "active" if role.activated_at else "waiting: an activation link was emailed to " + user.email
        self.stdout.write(f"{user.email} is {kind} of {organisation.name} ({state}).")
