"""Finding a commune by name, postcode or INSEE code, forgiving accents, case and hyphens."""

import unicodedata

from concerto.core.french import collation_key


def fold(text: str) -> str:
    """'Saint-Maur-des-Fossés' -> 'saint maur des fosses'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    for char in "-'’_.,;/":
        plain = plain.replace(char, " ")
    plain = plain.replace("st ", "saint ") if plain.startswith("st ") else plain
    return " ".join(plain.split())


def organisations_search(queryset, query: str, limit: int = 20):
    """Communes and territories of QUERYSET matching QUERY, best matches first.

    The tree holds about 150 organisations, so matching happens in Python: it is simple and the same
    on SQLite and PostgreSQL.
    """
    query = (query or "").strip()
    if not query:
        return []
    candidates = list(queryset.exclude(kind="metropole"))
    if query.isdigit():
        hits = [o for o in candidates
                if o.insee_code == query or any(p.startswith(query) for p in o.postcodes)]
        return sorted(hits, key=lambda o: (o.kind != "commune", collation_key(o.name)))[:limit]
    folded = fold(query)
    scored = []
    for org in candidates:
        name = org.search_name or fold(org.name)
        if name == folded:
            rank = 0
        elif name.startswith(folded):
            rank = 1
        elif f" {folded}" in f" {name}":
            rank = 2
        elif folded in name:
            rank = 3
        else:
            continue
        scored.append((rank, org.kind != "commune", org.name, org))
    return [item[-1] for item in sorted(scored, key=lambda s: s[:3])][:limit]
