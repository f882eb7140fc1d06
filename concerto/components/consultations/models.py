"""A consultation: a questionnaire (sections, questions, options) and the responses to it.

A questionnaire hangs off a `spaces.Component` of kind "consultations". Responses are stored as one
`Response` row per participant and one `Answer` row per answered value (one per chosen option for
multiple choice and ranking), so that results are counted with SQL GROUP BY, never in Python loops.
A draft response keeps its values as JSON in `Response.draft_data` and has no `Answer` rows: drafts can
never reach the results.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from concerto.core.participation.models import Channel

TITLE_MAX = 200
LABEL_MAX = 500
OPTION_MAX = 300
HINT_MAX = 500
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
OTHER_TEXT_MAX = 300
MAX_OPTIONS = 50


class Questionnaire(models.Model):
    """What a questionnaire says before its first section (its introduction)."""

    component = models.OneToOneField("spaces.Component", on_delete=models.CASCADE, related_name="questionnaire")
    intro = models.TextField(_("introduction"), blank=True)  # sanitised rich text
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.component.title

    def get_absolute_url(self) -> str:
        return self.component.get_absolute_url()

    @property
    def organisation(self):
        return self.component.space.organisation


class Section(models.Model):
    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="consultation_sections")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)  # sanitised rich text
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title

    @property
    def organisation(self):
        return self.component.space.organisation


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        RANKING = "ranking", _("Ranking")
        SCALE = "scale", _("Scale")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        POINT = "point", _("Point on the map")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")

    class Scale(models.TextChoices):
        ONE_TO_FIVE = "1-5", _("From 1 to 5")
        ZERO_TO_TEN = "0-10", _("From 0 to 10")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING)
    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)
    # Kinds whose answer can be the condition of another question.
    CONDITION_KINDS = (Kind.SINGLE, Kind.MULTIPLE)

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE,
                                  related_name="consultation_questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("type of question"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("question"), max_length=LABEL_MAX)
    help_text = models.CharField(_("hint"), max_length=HINT_MAX, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Multiple choice: how many options one may tick at most (null: as many as there are).
    max_choices = models.PositiveSmallIntegerField(_("maximum number of choices"), null=True, blank=True)
    # Scale.
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices, blank=True)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=100, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=100, blank=True)
    # Number.
    min_value = models.FloatField(_("smallest number allowed"), null=True, blank=True)
    max_value = models.FloatField(_("largest number allowed"), null=True, blank=True)
    # Shown only when this option of an earlier choice question is chosen (null: always shown).
    condition_option = models.ForeignKey("Option", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="dependent_questions",
                                         verbose_name=_("shown only when this answer is chosen"))

    class Meta:
        ordering = ["section__position", "section_id", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label

    @property
    def organisation(self):
        return self.component.space.organisation

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"

    @property
    def other_field_name(self) -> str:
        return f"q{self.pk}_other"

    @property
    def has_options(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    @property
    def is_text(self) -> bool:
        return self.kind in self.TEXT_KINDS

    def scale_range(self) -> range:
        return range(0, 11) if self.scale == self.Scale.ZERO_TO_TEN else range(1, 6)


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=OPTION_MAX)
    position = models.PositiveIntegerField(_("position"), default=0)
    # "Other, specify": choosing it asks for a text.
    is_other = models.BooleanField(_("other, specify"), default=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label

    @property
    def organisation(self):
        return self.question.component.space.organisation


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Response.Status.SUBMITTED)


class Response(models.Model):
    """One participant's response. Signed-in people have one per questionnaire (a unique constraint);
    account-less ones, one per browser session (`anonymous_key`, kept in the session); responses
    entered by an agent from paper or a meeting have neither."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("consultation response status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("consultation response status", "Sent")

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE,
                                  related_name="consultation_responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="consultation_responses")
    anonymous_key = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    residence = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("commune of residence"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    draft_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["component", "respondent"], condition=models.Q(respondent__isnull=False),
                                    name="consultations_one_response_per_person"),
            models.UniqueConstraint(fields=["component", "anonymous_key"], condition=~models.Q(anonymous_key=""),
                                    name="consultations_one_response_per_session"),
        ]
        indexes = [
            models.Index(fields=["component", "status", "channel"], name="consult_resp_channel"),
            models.Index(fields=["component", "status", "residence"], name="consult_resp_residence"),
            # The version of the results (how many responses, the last change) is read from it.
            models.Index(fields=["component", "status", "updated_at"], name="consult_resp_version"),
        ]

    def __str__(self) -> str:
        # No name: the audit log and the admin must not tie a person to their answers by accident.
        return gettext("Response no. %(number)s") % {"number": self.pk}

    @property
    def organisation(self):
        return self.component.space.organisation

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    """One answered value. Which column holds it depends on the question's kind: `option` (+ `rank` for
    ranking, + `text` for "other, specify"), `number` (scale and number), `date`, `text`, or
    `latitude`/`longitude`. For multiple choice, `rank` numbers the options one person chose (1, 2...),
    so that the row with rank 1 stands for the person when counting. `channel` and `residence` repeat the
    response's, so that filtered results are counted without a join."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # The indexes below all start with the question and cover what each kind of result reads.
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers", db_index=False)
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.CASCADE, related_name="answers",
                               db_index=False)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.FloatField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    text = models.TextField(blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The commune at the point (map questions), for the list that goes with the map.
    place = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    residence = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", db_index=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        # Covering indexes: each GROUP BY of the results reads one of them and never the table, with or
        # without the channel and commune filters.
        indexes = [
            models.Index(fields=["question", "option", "rank", "channel", "residence"], name="consult_ans_choice"),
            models.Index(fields=["question", "number", "channel", "residence"], name="consult_ans_number"),
            models.Index(fields=["question", "date", "channel", "residence"], name="consult_ans_date"),
            models.Index(fields=["question", "response", "channel", "residence"], name="consult_ans_people"),
            models.Index(fields=["question", "place", "channel", "residence"], name="consult_ans_place"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.number or self.date or self.text[:40]}"


def results_url(component) -> str:
    space = component.space
    return reverse("consultations:results", kwargs={
        "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": component.pk})


class ChoiceCount(models.Model):
    """How many submitted answers (and respondents: rows of rank 1 or without a rank) each (question, option,
    year of birth, commune of residence) holds, kept by database triggers in the same transaction as every write
    to an answer, a response (status, respondent) or an account's year of birth (choice_counts.py), so that the
    weighted results read a few thousand rows instead of grouping a million answers. Unknown values are 0, not
    NULL, so that the four columns form a key an upsert can find. No foreign key constraint: the rows of a
    deleted question fall to zero with its answers, whatever order a cascade deletes them in."""

    question = models.ForeignKey(Question, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    option_key = models.IntegerField(default=0)
    birth_year = models.IntegerField(default=0)
    residence_key = models.IntegerField(default=0)
    answers = models.IntegerField(default=0)
    people = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("choice count")
        verbose_name_plural = _("choice counts")
        constraints = [
            models.UniqueConstraint(fields=["question", "option_key", "birth_year", "residence_key"],
                                    name="consult_choice_count_key"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}/{self.option_key}/{self.birth_year}/{self.residence_key}: {self.answers}"
