"""Citizen reports ("Tell my city"): a malfunction to fix, a service to congratulate or an action to propose,
at a point on the map, routed to the commune's service for its category, followed until resolved.

Who writes what: reporting, photos, "me too" and public pages in services.py / views.py; the agents'
queue, workflow, categories and dashboard in workflow.py / backoffice_views.py; Open311 GeoReport v2 and
the map and nearby queries in open311.py / queries.py.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.participation.models import Channel, Moderated, ModeratedQuerySet


def new_token() -> str:
    """An Open311 token: 27 URL-safe characters, unguessable."""
    return secrets.token_urlsafe(20)


class Service(models.Model):
    """A service of a commune that handles reports (roads, lighting, cleanliness...)."""

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE,
                                     related_name="report_services")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email for new reports"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_report_service_name")]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A kind of report a commune takes (Open311 "service"): its code, its service, its extra questions."""

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE,
                                     related_name="report_categories")
    code = models.SlugField(_("code"), max_length=50)  # Open311 service_code, unique in the commune
    name = models.CharField(_("name"), max_length=150)
    description = models.CharField(_("description"), max_length=300, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)  # Open311 group ("Voirie")
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    service = models.ForeignKey(Service, verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="categories")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="unique_report_category_code")]

    def __str__(self) -> str:
        return self.name


class CategoryQuestion(models.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        TEXT = "text", _("Long text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        SINGLE = "singlevaluelist", _("One choice in a list")
        MULTI = "multivaluelist", _("Several choices in a list")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("question"), max_length=200)
    datatype = models.CharField(_("type"), max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    # [{"key": "...", "name": "..."}] for the list types.
    options = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="unique_category_question_code")]

    def __str__(self) -> str:
        return f"CategoryQuestion {self.pk}"


class ReportQuerySet(ModeratedQuerySet):
    def public(self):
        return self.visible()

    def open(self):
        return self.filter(status__in=Report.OPEN_STATUSES)


class Report(Moderated):
    class Kind(models.TextChoices):
        MALFUNCTION = "malfunction", pgettext_lazy("report kind", "Report a malfunction")
        CONGRATULATION = "congratulation", pgettext_lazy("report kind", "Congratulate a service")
        PROPOSAL = "proposal", pgettext_lazy("report kind", "Propose an action")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("report status", "New")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("report status", "Acknowledged")
        IN_PROGRESS = "in_progress", pgettext_lazy("report status", "In progress")
        RESOLVED = "resolved", pgettext_lazy("report status", "Resolved")
        REJECTED = "rejected", pgettext_lazy("report status", "Rejected")
        DUPLICATE = "duplicate", pgettext_lazy("report status", "Duplicate")

    OPEN_STATUSES = ("new", "acknowledged", "in_progress")

    # The component whose page received it (empty for Open311 and chatbot reports).
    component = models.ForeignKey("spaces.Component", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="reports")
    # The commune at the point (its INSEE code is the Open311 jurisdiction_id).
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.PROTECT, related_name="reports")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="reports")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MALFUNCTION)
    description = models.TextField(_("description"), blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    address = models.CharField(_("address"), max_length=250, blank=True)
    answers = models.JSONField(default=dict, blank=True)  # {"<question code>": value}
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    status_reason = models.TextField(_("reason"), blank=True)  # required when rejected
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="duplicates")
    public_answer = models.TextField(_("public answer"), blank=True)
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_reports")
    # Who reported: an account, or an email address to follow it without one (never shown publicly).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="reports")
    email = models.EmailField(_("email"), blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    api_key = models.ForeignKey("reports.Open311Key", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    # Open311: the token given back when a request is posted, and the client's own identifiers.
    token = models.CharField(max_length=40, unique=True, default=new_token)
    device_id = models.CharField(max_length=100, blank=True)
    support_count = models.PositiveIntegerField(_("“me too”"), default=0)
    created_at = models.DateTimeField(_("reported on"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)  # resolved, rejected or duplicate

    comments = GenericRelation("participation.Comment", content_type_field="target_type",
                               object_id_field="target_id")

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="report_point_idx"),
            models.Index(fields=["organisation", "status", "-created_at"], name="report_queue_idx"),
            models.Index(fields=["service", "status", "-created_at"], name="report_service_queue_idx"),
            models.Index(fields=["category", "status", "latitude"], name="report_nearby_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90)
                                   & Q(longitude__gte=-180, longitude__lte=180), name="report_point_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.category.name} ({self.pk})" if self.category_id else str(self.pk)

    def get_absolute_url(self) -> str:
        return reverse("reports_signalements:detail", kwargs={"report_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_public(self) -> bool:
        return self.hidden_at is None


class ReportPhoto(models.Model):
    """A photo of a report: checked by content, resized, stored without EXIF metadata."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    # A moderator hides a photo that shows a face or a number plate; the report stays.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"ReportPhoto {self.pk}"


class ReportSupport(models.Model):
    """"Me too": someone with the same problem adds their voice instead of a duplicate report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], condition=Q(user__isnull=False),
                                    name="one_report_support_per_user"),
        ]

    def __str__(self) -> str:
        return f"ReportSupport {self.pk}"


class StatusChange(models.Model):
    """The public history of a report: each status change, with its reason and public text."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=16, choices=Report.Status.choices)
    reason = models.TextField(blank=True)
    public_text = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"StatusChange {self.pk}"


class InternalNote(models.Model):
    """A note between agents about a report, never shown publicly."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"InternalNote {self.pk}"


class Open311Key(models.Model):
    """An API key a commune gives to a client (an app, a partner) to post reports through Open311."""

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="open311_keys")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"Open311Key {self.pk}"


class ReportMapCell(models.Model):
    """Precomputed map clusters (owner: open311 helper, see queries.py): for each grid LEVEL (a cell is
    90 / 2**level degrees, about 64 screen pixels at zoom LEVEL), the count and coordinate sums of the public
    reports of one category, open or closed, in one cell. Kept up to date by database triggers on the
    reports table (migration 0002), so bulk updates and raw SQL keep it right too; never written by Django."""

    level = models.PositiveSmallIntegerField()
    cy = models.IntegerField()
    cx = models.IntegerField()
    organisation_id = models.BigIntegerField()
    category_id = models.BigIntegerField()
    is_open = models.BooleanField()
    count = models.IntegerField(default=0)
    sum_lat = models.FloatField(default=0)
    sum_lon = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "cy", "cx", "organisation_id", "category_id",
                                                       "is_open"], name="report_map_cell_key")]

    def __str__(self) -> str:
        return f"ReportMapCell {self.pk}"
