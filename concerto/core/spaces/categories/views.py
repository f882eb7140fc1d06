"""The back-office pages of a component's categories: the list with its form to add one, the form to change
one, the confirmation before deleting one.

These are not views: each component keeps its own views (its URLs, its access rules, its lookup of the
component) and calls these functions with what differs: its concrete model, its templates, its page context
and the URL of its list of categories.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.spaces.categories import services


class CategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           error_messages={"required": gettext_lazy("Give the category a name.")})
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, max_value=32767, required=False,
        help_text=gettext_lazy("Categories are listed from the smallest number to the largest."))


def category_or_404(model, component, category_id: int):
    category = model.objects.filter(component=component, pk=category_id).first()
    if category is None:
        raise Http404(_("This category does not exist."))
    category.component = component
    return category


def _add_errors(form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


def list_page(request, *, model, component, template: str, context: dict, list_url: str):
    """COMPONENT's categories and the form to add one (GET or POST); back to LIST_URL once added."""
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_create(model, actor=request.user, component=component,
                                     name=form.cleaned_data["name"], position=form.cleaned_data["position"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The category is added."))
            return redirect(list_url)
    categories = list(model.objects.filter(component=component))
    return render(request, template, {**context, "form": form, "categories": categories},
                  status=400 if form.errors else 200)


def edit_page(request, *, category, template: str, context: dict, list_url: str):
    """The form to rename CATEGORY or move it (GET or POST); back to LIST_URL once saved."""
    form = CategoryForm(request.POST or None, initial={"name": category.name, "position": category.position})
    if request.method == "POST" and form.is_valid():
        try:
            position = form.cleaned_data["position"]
            services.category_update(actor=request.user, category=category, name=form.cleaned_data["name"],
                                     position=category.position if position is None else position)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(list_url)
    return render(request, template, {**context, "form": form, "category": category},
                  status=400 if form.errors else 200)


def delete_page(request, *, category, count: int, template: str, context: dict, list_url: str, deleted: str):
    """Confirm (GET), then delete CATEGORY (POST); COUNT items are filed under it; DELETED is the message
    shown back on LIST_URL (each component names its own items)."""
    if request.method == "POST":
        services.category_delete(actor=request.user, category=category)
        messages.success(request, deleted)
        return redirect(list_url)
    return render(request, template, {**context, "category": category, "count": count})
