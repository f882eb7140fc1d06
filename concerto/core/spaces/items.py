"""What a component holds (a news post, an event, a proposal, a budget project...): rows that reach their
space and organisation through their component."""

from django.db import models


class ComponentItem(models.Model):
    """Abstract, without fields: a row with a `component` foreign key to spaces.Component says where it is.
    The audit log, the moderation queue and the shared comments ask any object for its `.organisation`."""

    class Meta:
        abstract = True

    @property
    def space(self):
        return self.component.space

    @property
    def organisation(self):
        return self.component.space.organisation
