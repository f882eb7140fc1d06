"""Forms of the reports back-office (they only parse input; workflow.py decides)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.components.reports.models import CategoryQuestion, Report
from concerto.components.reports.workflow import allowed_statuses
from concerto.core.forms import required_when
from concerto.core.inputs import EmailFormField


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = EmailFormField(label=_("Email for new reports"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class CategoryForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50,
                           help_text=_("Letters, digits and hyphens; Open311 clients use it (service_code)."))
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    group = forms.CharField(label=_("Group"), max_length=100, required=False)
    keywords = forms.CharField(label=_("Keywords"), max_length=300, required=False)
    service = forms.ModelChoiceField(label=_("Service"), queryset=None, required=False,
                                     empty_label=_("No service"))
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32000, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class QuestionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    label = forms.CharField(label=_("Question"), max_length=200)
    datatype = forms.ChoiceField(label=_("Type"), choices=CategoryQuestion.Datatype.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    options = forms.CharField(label=_("Choices (one per line)"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}), help_text=_("Only for the list types."))

    def clean_options(self):
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]
        return [{"key": str(number), "name": line[:200]} for number, line in enumerate(lines, start=1)]


class StatusForm(forms.Form):
    """The statuses offered are the ones the workflow allows from the report's current status (REPORT given);
    any other is refused by the form before the workflow is asked."""

    status = forms.ChoiceField(label=_("New status"), choices=[
        (value, label) for value, label in Report.Status.choices if value != Report.Status.DUPLICATE])
    reason = required_when(forms.CharField(label=_("Reason"), required=False, max_length=5000,
                                           widget=forms.Textarea(attrs={"rows": 2})), _("required to reject"))
    public_text = forms.CharField(label=_("Message to the residents"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, report=None, **kwargs):
        kwargs.setdefault("auto_id", "id_status_%s")
        super().__init__(*args, **kwargs)
        if report is not None:
            # Only the menu is narrowed: a status posted anyway gets the workflow's own explanation.
            allowed = set(allowed_statuses(report)) - {Report.Status.DUPLICATE}
            self.fields["status"].widget.choices = [
                (value, label) for value, label in self.fields["status"].choices if value in allowed]


# Each form of the agent's report page has its own ids (auto_id), so that two "text" boxes never share
# id="id_text" and each label names its own box; the posted field names stay "text".
class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Public answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_answer_%s")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Seen only by the agents; never shown to the residents."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False,
                                      empty_label=_("Nobody"))

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Number of the original report"), min_value=1, max_value=2**31 - 1)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Application"), max_length=100,
                           help_text=_("Who will use the key (an app, a partner)."))
