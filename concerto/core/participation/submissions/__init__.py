"""A resident's submission: what proposals, budget projects (and, later, opinions and questions) share.

A resident writes a title and a rich text, may file it under a category, place it on the map (the commune at
the point is kept) and add an image; others comment on it; the author may withdraw it; moderators may hide it.
Each component keeps its own table (a concrete model subclassing models.Submission), its own URLs, audit
actions and rules of review. What is the same for all lives here once:

- models: the abstract Submission (shared fields, `is_public`, `point`, `body`...) and its QuerySet;
- services: cleaning the content (title, rich text, category, point) with the component's own messages,
  placing the point, the author's lock, withdrawing, the open-data row, the space page's sentence, the
  comment counter;
- signals: `comment_count` follows the shared comments of any Submission, without a receiver per component;
- api: the resolvers of the fields every submission's API schema has (category, commune, image, comments,
  organisation, space, component, url).
- views: the GeoJSON of a list's map.

The kernel never imports a component: a component hands its concrete model (or instances) to these functions.
"""
