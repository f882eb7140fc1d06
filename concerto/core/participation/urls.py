from django.urls import path

from concerto.core.participation import bounce_views, newsletter_views, views

app_name = "participation"
TARGET = "<int:content_type_id>/<int:object_id>"
urlpatterns = [
    path(f"suivre/{TARGET}/", views.follow, name="follow"),
    path(f"ne-plus-suivre/{TARGET}/", views.unfollow, name="unfollow"),
    path(f"commenter/{TARGET}/", views.comment, name="comment"),
    path("voter-commentaire/<int:object_id>/", views.comment_vote, name="comment_vote"),
    path(f"signaler/{TARGET}/", views.report, name="report"),
    # The mail provider's bounces (participation/bounces.py).
    path("courriels/rebonds/brevo/", bounce_views.brevo_webhook, name="bounces_brevo"),
]

# The person's notifications: mounted under /compte/ in the "accounts" namespace, beside the account's own pages
# (concerto/urls.py), so their addresses and names are those of the account pages.
account_urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/tout-lu/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/reglages/", views.notification_settings, name="notification_settings"),
    path("notifications/appareil/activer/", views.push_subscribe, name="push_subscribe"),
    path("notifications/appareil/desactiver/", views.push_unsubscribe, name="push_unsubscribe"),
    path("notifications/resume/", views.digest_settings, name="digest_settings"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
]

# The person's feed: /mon-fil/ (concerto/urls.py mounts it before the communes' addresses).
feed_urlpatterns = [
    path("", views.my_feed, name="feed"),
    path("nouvelle-adresse/", views.my_feed_renew, name="feed_renew"),
    path("lieux/", views.my_feed_place_add, name="feed_place_add"),
    path("themes/", views.my_feed_topics, name="feed_topics"),
    path("lieux/<int:place_id>/retirer/", views.my_feed_place_remove, name="feed_place_remove"),
    path("atom/<str:token>/", views.my_feed_atom, name="feed_atom"),
    path("resume/desabonnement/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
    path("lettres/desabonnement/<str:token>/", newsletter_views.newsletter_unsubscribe,
         name="newsletter_unsubscribe"),
]

# An organisation's newsletters: the public archive, the counted links and the image of each issue
# (/<org_slug>/lettres/, "lettres" is kept out of space slugs).
newsletter_urlpatterns = [
    path("", newsletter_views.archive, name="newsletter_archive"),
    path("<int:newsletter_id>/", newsletter_views.detail, name="newsletter_detail"),
    path("<int:newsletter_id>/lien/<int:number>/", newsletter_views.link, name="newsletter_link"),
    path("<int:newsletter_id>/image.png", newsletter_views.image, name="newsletter_image"),
]

# The Métropole's topics: /themes/<slug>/.
topic_urlpatterns = [
    path("<slug:slug>/", views.topic_detail, name="topic_detail"),
]
