from django.http import HttpResponse
from django.urls import path

app_name = "participation_backoffice"
urlpatterns = [
    path("", lambda request, org_slug: HttpResponse("queue"), name="queue"),  # placeholder
]
