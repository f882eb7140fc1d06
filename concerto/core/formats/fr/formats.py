"""French: thousands grouped by the narrow no-break space U+202F (« 12 345 »), the typographic norm that
concerto/core/french.py follows, instead of Django's U+00A0; so `number_format`, `intcomma` and
`floatformat:"g"` write figures the way `|euros`, `|percent` and `|number` do. Everything else comes from Django."""

THOUSAND_SEPARATOR = "\u202f"
