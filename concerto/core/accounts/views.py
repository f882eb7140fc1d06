from django.http import HttpResponse


def profile(request):  # placeholder, replaced by the accounts work
    return HttpResponse("profile")


def notifications(request):  # placeholder
    return HttpResponse("notifications")
