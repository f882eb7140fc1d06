"""Forms of a consultation: answering the questionnaire, and building it in the back-office.

Plain forms: they parse and explain in French; the services check again and change the data.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from concerto.components.consultations import services
from concerto.components.consultations.models import (
    HINT_MAX,
    LABEL_MAX,
    LONG_TEXT_MAX,
    OPTION_MAX,
    OTHER_TEXT_MAX,
    SHORT_TEXT_MAX,
    TITLE_MAX,
    Question,
)
from concerto.components.consultations.questionnaire import answers_check, visible_question_ids
from concerto.core.maps import PointField
from concerto.core.participation.models import Channel
from concerto.core.territory.models import Organisation

Kind = Question.Kind


class LinkedRadioSelect(forms.RadioSelect):
    """Radios whose field links (from the error summary) to its first input rather than nowhere."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class LinkedCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class RankingWidget(forms.MultiWidget):
    """One select per answer: its rank, 1 being the best."""

    template_name = "consultations/widgets/ranking.html"
    use_fieldset = True

    def __init__(self, options, attrs=None):
        self.options = list(options)
        choices = [("", "—")] + [(str(rank), str(rank)) for rank in range(1, len(self.options) + 1)]
        super().__init__([forms.Select(choices=choices) for _option in self.options], attrs)

    def decompress(self, value):
        """VALUE (option ids, best first) as the rank of each option."""
        if not value:
            return [None] * len(self.options)
        ranks = {pk: rank for rank, pk in enumerate(value, start=1)}
        return [ranks.get(option.pk) for option in self.options]

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, option in zip(context["widget"]["subwidgets"], self.options, strict=True):
            subwidget["label"] = option.label
        return context


class RankingField(forms.MultiValueField):
    def __init__(self, options, **kwargs):
        self.options = list(options)
        count = len(self.options)
        fields = [forms.TypedChoiceField(choices=[("", "")] + [(str(r), str(r)) for r in range(1, count + 1)],
                                         coerce=int, required=False, empty_value=None)
                  for _option in self.options]
        super().__init__(fields=fields, require_all_fields=False, widget=RankingWidget(self.options), **kwargs)

    def partial_reason(self, ranks) -> str:
        """Why a partial ranking is refused, naming what to fix: the answers without a rank, the ranks
        given twice and the ranks nobody took."""
        count = len(self.options)
        unranked = [str(option.label) for option, rank in zip(self.options, ranks, strict=True) if rank is None]
        given = [rank for rank in ranks if rank is not None]
        twice = sorted({rank for rank in given if given.count(rank) > 1})
        missing = [rank for rank in range(1, count + 1) if rank not in given]
        parts = [_("Give each answer a different rank, from 1 to %(count)s.") % {"count": count}]
        if unranked:
            parts.append(ngettext("Without a rank: %(answers)s.", "Without a rank: %(answers)s.", len(unranked))
                         % {"answers": ", ".join(f"«\u00a0{label}\u00a0»" for label in unranked)})
        if twice:
            parts.append(ngettext("Rank given twice: %(ranks)s.", "Ranks given twice: %(ranks)s.", len(twice))
                         % {"ranks": ", ".join(map(str, twice))})
        if missing:
            parts.append(ngettext("Rank missing: %(ranks)s.", "Ranks missing: %(ranks)s.", len(missing))
                         % {"ranks": ", ".join(map(str, missing))})
        return " ".join(parts)

    def compress(self, data_list):
        if not data_list or all(rank is None for rank in data_list):
            return None
        ranks = list(data_list)
        if any(rank is None for rank in ranks) or len(set(ranks)) != len(ranks):
            raise ValidationError(self.partial_reason(ranks))
        return [option.pk for _rank, option in sorted(zip(ranks, self.options, strict=True),
                                                       key=lambda pair: pair[0])]


def _number_text(value) -> str:
    return f"{value:g}".replace(".", ",") if value is not None else ""


class FrenchFloatField(forms.FloatField):
    """A number typed with a comma or a point ("3,5" or "3.5")."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


def _question_field(question, options):
    common = {"label": question.label, "required": False, "help_text": question.help_text}
    kind = question.kind
    choices = [(str(option.pk), option.label) for option in options]
    if kind == Kind.SINGLE:
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None,
                                      widget=LinkedRadioSelect, **common)
    if kind == Kind.MULTIPLE:
        field = forms.TypedMultipleChoiceField(choices=choices, coerce=int, widget=LinkedCheckboxSelectMultiple,
                                               **common)
        if question.max_choices:
            field.max_hint = question.max_choices
        return field
    if kind == Kind.RANKING:
        return RankingField(options, **common)
    if kind == Kind.SCALE:
        scale = question.scale_range()
        labels = {scale[0]: question.scale_min_label, scale[-1]: question.scale_max_label}
        scale_choices = [(str(value), f"{value} ({labels[value]})" if labels.get(value) else str(value))
                         for value in scale]
        return forms.TypedChoiceField(choices=scale_choices, coerce=int, empty_value=None,
                                      widget=LinkedRadioSelect(attrs={"class": "scale-choices"}), **common)
    if kind == Kind.SHORT_TEXT:
        return forms.CharField(max_length=SHORT_TEXT_MAX, **common)
    if kind == Kind.LONG_TEXT:
        return forms.CharField(max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}), **common)
    if kind == Kind.NUMBER:
        return FrenchFloatField(min_value=question.min_value, max_value=question.max_value,
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                                **common)
    if kind == Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               input_formats=["%Y-%m-%d", "%d/%m/%Y"], **common)
    if kind == Kind.POINT:
        if not question.help_text:
            del common["help_text"]  # the field's own hint explains how to type a point
        return PointField(**common)
    raise ValueError(f"Unknown kind {kind!r}")


class ResponseForm(forms.Form):
    """The questionnaire as one form: one field per question (`q<id>`), plus `q<id>_other` for the text
    of an "other, specify" answer. Required questions and conditions are checked together in clean(),
    by the same function as the service, so that a hidden question is never required and its answer is
    dropped."""

    use_required_attribute = False

    def __init__(self, structure, *args, paper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.paper = paper
        self.answers: dict = {}
        for question in structure.questions:
            options = structure.options.get(question.pk, [])
            field = _question_field(question, options)
            field.question = question
            self.fields[question.field_name] = field
            if question.kind in (Kind.SINGLE, Kind.MULTIPLE) and any(option.is_other for option in options):
                self.fields[question.other_field_name] = forms.CharField(
                    label=_("Your other answer"), required=False, max_length=OTHER_TEXT_MAX,
                    help_text=_("If you chose “Other”, say what."),
                )
                self.fields[question.other_field_name].question = question
                self.fields[question.other_field_name].is_other_text = True

    def question_rows(self, section):
        """(question, field, other field or None) for each question of SECTION, for the template."""
        rows = []
        for question in section.question_list:
            other = self[question.other_field_name] if question.other_field_name in self.fields else None
            rows.append((question, self[question.field_name], other))
        return rows

    def clean(self):
        cleaned = super().clean()
        answers = {}
        for question in self.structure.questions:
            if question.field_name in self.errors:
                continue
            value = cleaned.get(question.field_name)
            if value in (None, "", []):
                continue
            if question.kind == Kind.SINGLE:
                value = {"option": value, "other": cleaned.get(question.other_field_name, "")}
            elif question.kind == Kind.MULTIPLE:
                value = {"options": value, "other": cleaned.get(question.other_field_name, "")}
            answers[question.pk] = value
        failed = {question.pk for question in self.structure.questions if question.field_name in self.errors}
        try:
            self.answers = answers_check(self.structure, answers, enforce_required=not self.paper)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in self.fields:
                    # A question that already failed to parse keeps that message only.
                    if not any(self.fields[name].question.pk == pk for pk in failed):
                        self.add_error(name, messages)
                else:
                    self.add_error(None, messages)
        else:
            # A hidden question whose input could not be parsed does not block the response.
            visible = visible_question_ids(self.structure.questions, answers)
            for question in self.structure.questions:
                if question.pk not in visible and question.field_name in self._errors:
                    del self._errors[question.field_name]
        return cleaned


def answers_as_initial(structure, answers_by_question: dict) -> dict:
    """Initial values of a ResponseForm from saved answers (question id -> list of Answer rows)."""
    initial = {}
    for question in structure.questions:
        rows = answers_by_question.get(question.pk)
        if not rows:
            continue
        kind = question.kind
        if kind == Kind.SINGLE:
            initial[question.field_name] = str(rows[0].option_id)
            if rows[0].text:
                initial[question.other_field_name] = rows[0].text
        elif kind == Kind.MULTIPLE:
            initial[question.field_name] = [str(row.option_id) for row in rows]
            other = next((row.text for row in rows if row.text), "")
            if other:
                initial[question.other_field_name] = other
        elif kind == Kind.RANKING:
            initial[question.field_name] = [row.option_id for row in sorted(rows, key=lambda row: row.rank or 0)]
        elif kind == Kind.SCALE:
            initial[question.field_name] = str(int(rows[0].number))
        elif kind == Kind.NUMBER:
            initial[question.field_name] = _number_text(rows[0].number)
        elif kind == Kind.DATE:
            initial[question.field_name] = rows[0].date
        elif kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            initial[question.field_name] = rows[0].text
        elif kind == Kind.POINT:
            initial[question.field_name] = (rows[0].latitude, rows[0].longitude)
    return initial


def draft_form(structure, draft_data: dict) -> ResponseForm:
    """A form showing a saved draft as typed, without running the checks (a draft may be incomplete)."""
    data = MultiValueDict({name: value if isinstance(value, list) else [value] for name, value in draft_data.items()})
    form = ResponseForm(structure, data=data)
    # Not validated on purpose: showing a half-filled draft is not an error.
    form._errors = forms.utils.ErrorDict()
    return form


def draft_values(structure, post) -> dict:
    """The questionnaire's raw values in POST, for a draft."""
    known = {question.pk for question in structure.questions}
    values = {}
    for name in post:
        match = services.DRAFT_NAME.match(name)
        if match and int(match[1]) in known:
            items = post.getlist(name)
            values[name] = items if len(items) > 1 or name in _list_names(structure) else items[0]
    return values


def _list_names(structure) -> set:
    return {question.field_name for question in structure.questions if question.kind == Kind.MULTIPLE}


def _communes():
    return Organisation.objects.communes().order_by("search_name", "name")


class ResidenceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ResidenceForm(forms.Form):
    """The commune of residence, asked of those whose account does not say it (optional)."""

    residence = ResidenceField(
        label=_("Your commune of residence"), required=False, queryset=Organisation.objects.none(),
        empty_label=_("I prefer not to say, or outside the Métropole"),
        help_text=_("Optional. It only serves to show where the answers come from."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["residence"].queryset = _communes()


class PaperForm(forms.Form):
    """What an agent says about a response collected on paper or at a meeting."""

    channel = forms.ChoiceField(
        label=_("How was this response collected?"), widget=LinkedRadioSelect, initial=Channel.PAPER,
        choices=[(Channel.PAPER, Channel.PAPER.label), (Channel.IN_PERSON, Channel.IN_PERSON.label)],
        error_messages={"required": _("Say how this response was collected.")},
    )
    residence = ResidenceField(
        label=_("Commune of residence of the respondent"), required=False, queryset=Organisation.objects.none(),
        empty_label=_("Not given, or outside the Métropole"),
    )
    answered_on = forms.DateField(
        label=_("Date of the response"), required=False, widget=forms.DateInput(attrs={"type": "date"},
                                                                              format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"], help_text=_("Leave empty for today."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["residence"].queryset = _communes()

    def clean_answered_on(self):
        answered_on = self.cleaned_data.get("answered_on")
        if answered_on and answered_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        if answered_on and answered_on < date(2000, 1, 1):
            raise ValidationError(_("Enter a date after the year 2000."))
        return answered_on


# ---------------------------------------------------------------- results filters


class ResultsFilterForm(forms.Form):
    NO_COMMUNE = "aucune"

    canal = forms.ChoiceField(label=_("Channel"), required=False)
    commune = forms.ChoiceField(label=_("Commune of residence"), required=False)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canal"].choices = [("", _("All channels")), *Channel.choices]
        self.fields["commune"].choices = [("", _("All communes")), *[(c.slug, c.name) for c in communes],
                                          (self.NO_COMMUNE, _("Not given"))]


class TextSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the answers"), required=False, max_length=100)


# ---------------------------------------------------------------- back-office: building


class IntroForm(forms.Form):
    intro = forms.CharField(
        label=_("Introduction"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Shown above the questions: what the consultation is about, how the answers will be used. "
                    "Plain text; leave an empty line between paragraphs."),
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Title of the section"), max_length=TITLE_MAX,
                            error_messages={"required": _("Give the section a title.")})
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Plain text; leave an empty line between paragraphs."),
    )


class KindForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of question"), choices=Kind.choices, widget=LinkedRadioSelect,
                             error_messages={"required": _("Choose a type of question.")})


def condition_choices(structure, question=None, section=None) -> list:
    """The answers a question can be conditioned on: those of the choice questions before it (a new
    question goes at the end of SECTION)."""
    if question is not None:
        index = [other.pk for other in structure.questions].index(question.pk)
        before = structure.questions[:index]
    else:
        order = [other.pk for other in structure.sections]
        upto = set(order[:order.index(section.pk) + 1]) if section is not None and section.pk in order else set()
        before = [other for other in structure.questions if other.section_id in upto]
    choices = [("", _("Always show this question"))]
    for other in before:
        if other.kind in Question.CONDITION_KINDS:
            choices += [(str(option.pk), f"« {other.label} » = {option.label}")
                        for option in structure.options.get(other.pk, [])]
    current = question.condition_option if question is not None else None
    if current is not None and str(current.pk) not in {value for value, _label in choices}:
        # Kept after the questions were reordered, so that saving the form does not drop it silently.
        parent = structure.by_id.get(current.question_id)
        if parent is not None:
            choices.append((str(current.pk), f"« {parent.label} » = {current.label}"))
    return choices


class QuestionForm(forms.Form):
    """A question of KIND. Fields that do not apply to the kind are removed."""

    label = forms.CharField(label=_("Question"), max_length=LABEL_MAX,
                            error_messages={"required": _("Write the question.")})
    help_text = forms.CharField(label=_("Hint"), required=False, max_length=HINT_MAX,
                                help_text=_("Optional: a sentence under the question to help answer it."))
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    options = forms.CharField(
        label=_("Answers to choose from"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        max_length=OPTION_MAX * 50, help_text=_("One answer per line."),
    )
    new_options = forms.CharField(
        label=_("Add answers"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=OPTION_MAX * 50, help_text=_("Optional. One answer per line; they are added at the end."),
    )
    other_option = forms.BooleanField(label=_("Add an answer “Other, specify”"), required=False,
                                      help_text=_("Whoever chooses it is asked to say what."))
    max_choices = forms.IntegerField(label=_("Maximum number of answers one may tick"), required=False,
                                     min_value=1, max_value=50, help_text=_("Leave empty for no maximum."))
    scale = forms.ChoiceField(label=_("Scale"), choices=Question.Scale.choices, widget=LinkedRadioSelect,
                              initial=Question.Scale.ONE_TO_FIVE)
    scale_min_label = forms.CharField(label=_("Label of the lowest value"), required=False, max_length=100,
                                      help_text=_("For example: Not at all satisfied."))
    scale_max_label = forms.CharField(label=_("Label of the highest value"), required=False, max_length=100,
                                      help_text=_("For example: Very satisfied."))
    min_value = FrenchFloatField(label=_("Smallest number allowed"), required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    max_value = FrenchFloatField(label=_("Largest number allowed"), required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    condition_option = forms.ChoiceField(
        label=_("Show this question only when…"), required=False,
        help_text=_("Conditions use the answers to the choice questions that come before this one."),
    )

    def __init__(self, *args, kind: str, structure, question=None, section=None, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.question = question
        self.locked = locked
        self.fields["section"].choices = [(s.pk, s.title) for s in structure.sections]
        self.fields["condition_option"].choices = condition_choices(structure, question, section)
        if kind not in Question.CHOICE_KINDS:
            for name in ("options", "new_options", "other_option"):
                del self.fields[name]
        elif question is None:
            del self.fields["new_options"]
            self.fields["options"].required = True
            self.fields["options"].error_messages["required"] = _("Give at least two answers to choose from.")
        else:
            del self.fields["options"]
            self.option_rows = []
            for option in question.option_list:
                if option.is_other:
                    continue
                self.fields[f"option_{option.pk}"] = forms.CharField(
                    label=_("Answer: %(label)s") % {"label": option.label}, max_length=OPTION_MAX, initial=option.label,
                    error_messages={"required": _("Write this answer, or tick it to remove it.")},
                    required=False,
                )
                if not locked:
                    self.fields[f"remove_{option.pk}"] = forms.BooleanField(
                        label=_("Remove the answer “%(label)s”") % {"label": option.label}, required=False)
        if kind == Kind.RANKING and "other_option" in self.fields:
            del self.fields["other_option"]
        if kind != Kind.MULTIPLE:
            del self.fields["max_choices"]
        if kind != Kind.SCALE:
            for name in ("scale", "scale_min_label", "scale_max_label"):
                del self.fields[name]
        elif locked:
            self.fields["scale"].disabled = True
            self.fields["scale"].help_text = _("Responses have been received: the scale can no longer change.")
        if kind != Kind.NUMBER:
            del self.fields["min_value"]
            del self.fields["max_value"]
        if question is None:
            del self.fields["section"]
        if question is not None and locked and "other_option" in self.fields:
            other = any(option.is_other for option in question.option_list)
            if other:
                self.fields["other_option"].disabled = True
                self.fields["other_option"].help_text = _("Responses have been received: this answer can no longer "
                                                          "be removed.")

    @classmethod
    def for_question(cls, question, structure, *args, locked=False, **kwargs):
        initial = {
            "label": question.label, "help_text": question.help_text, "required": question.required,
            "section": question.section_id, "max_choices": question.max_choices, "scale": question.scale,
            "scale_min_label": question.scale_min_label, "scale_max_label": question.scale_max_label,
            "min_value": _number_text(question.min_value), "max_value": _number_text(question.max_value),
            "condition_option": str(question.condition_option_id or ""),
            "other_option": any(option.is_other for option in question.option_list),
        }
        return cls(*args, kind=question.kind, structure=structure, question=question, locked=locked,
                   initial=initial, **kwargs)

    def values(self, options_by_id: dict) -> dict:
        """Keyword arguments for question_create / question_update."""
        data = self.cleaned_data
        values = {name: data[name] for name in ("label", "help_text", "required", "max_choices", "scale",
                                                "scale_min_label", "scale_max_label", "min_value", "max_value")
                  if name in data}
        condition = data.get("condition_option")
        values["condition_option"] = options_by_id.get(int(condition)) if condition else None
        if "other_option" in data:
            values["other_option"] = data["other_option"]
        if "options" in data:
            values["options"] = data["options"].splitlines()
        if self.question is not None and self.kind in Question.CHOICE_KINDS:
            values["option_labels"] = {
                option.pk: data.get(f"option_{option.pk}", option.label)
                for option in self.question.option_list if not option.is_other
            }
            values["remove_options"] = [option.pk for option in self.question.option_list
                                        if data.get(f"remove_{option.pk}")]
            values["new_options"] = (data.get("new_options") or "").splitlines()
        return values
