"""INSEE's six age bands of the census, shared by the population tables (insights) and the quartiers' optional
population by band (territory)."""

from django.utils.translation import gettext_lazy as _

# INSEE's age bands of the census files, in their order: (key, lowest age, highest age).
BANDS = (("0-14", 0, 14), ("15-29", 15, 29), ("30-44", 30, 44), ("45-59", 45, 59), ("60-74", 60, 74),
         ("75+", 75, 200))
BAND_KEYS = tuple(key for key, _low, _high in BANDS)
BAND_LABELS = {"0-14": _("0 to 14"), "15-29": _("15 to 29"), "30-44": _("30 to 44"), "45-59": _("45 to 59"),
               "60-74": _("60 to 74"), "75+": _("75 and over")}
