from django.urls import path

from concerto.core.participation import views

app_name = "participation"
TARGET = "<int:content_type_id>/<int:object_id>"
urlpatterns = [
    path(f"suivre/{TARGET}/", views.follow, name="follow"),
    path(f"ne-plus-suivre/{TARGET}/", views.unfollow, name="unfollow"),
    path(f"commenter/{TARGET}/", views.comment, name="comment"),
    path("voter-commentaire/<int:object_id>/", views.comment_vote, name="comment_vote"),
    path(f"signaler/{TARGET}/", views.report, name="report"),
]
