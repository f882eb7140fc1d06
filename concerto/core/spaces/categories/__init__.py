"""Categories of a component (themes its items are filed under), shared by the components that have them.

The proposals and the participatory budgets components each keep their own table of categories (a concrete
model subclassing models.ComponentCategory): their rows, URLs and audit actions stay theirs. What is the
same for both lives here once: the fields and rules (models), the write actions (services), the back-office
pages (views, called by each component's own views) and the API's schema and list (api).

The kernel never imports a component: a component hands its concrete model to these functions.
"""
