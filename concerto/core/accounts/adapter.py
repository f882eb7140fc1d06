from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Hooks into allauth for Concerto's accounts (completed by the accounts work)."""
