from django.http import HttpResponse


def dashboard(request):  # placeholder, replaced by the back-office work
    return HttpResponse("dashboard")


def organisation(request, org_slug):
    return HttpResponse("organisation")


def roles(request, org_slug):
    return HttpResponse("roles")


def audit(request, org_slug):
    return HttpResponse("audit")


def space(request, org_slug, space_slug):
    return HttpResponse("space")
