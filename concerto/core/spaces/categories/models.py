"""The abstract model of a component's categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComponentCategory(models.Model):
    """A theme that a component's items (proposals, projects...) are filed under, managed in the back-office.

    A concrete subclass declares:
    - `component`, its foreign key to spaces.Component, with its own related_name (templates and queries of
      the component reach the categories through it);
    - `component_kind`, the kind of component its categories belong to: services refuse any other component,
      and name their audit actions after it ("proposals.category_created"...);
    - a Meta subclassing ComponentCategory.Meta, with its unique constraint on (component, name) (a
      constraint's name is unique in the whole database, so each table names its own).
    """

    component_kind = ""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def organisation(self):
        return self.component.space.organisation
