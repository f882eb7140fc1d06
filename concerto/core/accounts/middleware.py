from concerto.core.accounts.decorators import session_passed_mfa


class SecondFactorMiddleware:
    """Mark the signed-in user with whether this session passed two-factor authentication.

    Permissions read the mark (concerto.core.accounts.permissions.role_organisation_ids): staff whose
    session has only a password see and change no more than the public until they pass the second factor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            user.concerto_second_factor = session_passed_mfa(request)
        return self.get_response(request)
