from django.http import Http404
from django.utils.translation import gettext as _

from concerto.core.territory.models import Organisation


class OrganisationMiddleware:
    """Resolve the organisation named in the URL (`org_slug`) once, for views and templates.

    Views start from `request.organisation`; an unknown slug is a 404 in the site's look.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("org_slug")
        if slug is None:
            return None
        organisation = Organisation.objects.select_related("parent__parent").filter(slug=slug).first()
        if organisation is None:
            raise Http404(_("No commune or territory has this address."))
        request.organisation = organisation
        return None
