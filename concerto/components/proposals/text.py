"""Words of proposals, for search and for "similar proposals": accent- and case-insensitive.

Both databases compare these normalised forms with a plain LIKE, so SQLite and PostgreSQL give the same
answers without an accent-folding extension. `search_text` holds the normalised title and text of a
proposal; `title_words` holds the significant words of its title between spaces (" arbre ecole "), so
that `title_words LIKE '% arbr%'` finds a word by its beginning ("arbre" and "arbres" match each other).
"""

import re
import unicodedata

from concerto.core.richtext import plain_text

# Common French words that say nothing about the subject of a proposal.
STOP_WORDS = frozenset("""
a afin ai aie ainsi alors apres au aucun aupres aussi autre autres aux avec avoir avons bien ca car ce ceci
cela celle celles celui ces cet cette chaque chez ci comme comment dans de des deux doit donc dont du elle
elles en encore entre est et etre eu faire fait faut ici il ils je la le les leur leurs lui ma mais me meme
mes moi moins mon ne ni nos notre nous on ont ou par parce pas peu peut plus pour pourquoi quand que quel
quelle quelles quels qui quoi sa sans se ses si son sont sous sur ta te tes toi ton tous tout toute toutes
tres tu un une vers via vos votre vous y
""".split())

MIN_WORD_LENGTH = 3
MAX_WORDS = 8
_NOT_A_LETTER = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """TEXT in lower case, without accents or punctuation, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    ascii_text = ascii_text.lower().replace("œ", "oe").replace("æ", "ae")
    return _NOT_A_LETTER.sub(" ", ascii_text).strip()


def _stem(word: str) -> str:
    # A light stem: the plural mark only. Words are then matched by their beginning, which covers the rest.
    if len(word) > 4 and word[-1] in "sx":
        return word[:-1]
    return word


def significant_words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The first LIMIT distinct significant words of TEXT, normalised and stemmed."""
    words: list[str] = []
    for word in normalise(text).split():
        if len(word) < MIN_WORD_LENGTH or word in STOP_WORDS or word.isdigit():
            continue
        stem = _stem(word)
        if stem not in words:
            words.append(stem)
        if len(words) >= limit:
            break
    return words


def title_words(title: str) -> str:
    """What `Proposal.title_words` stores: the significant words of TITLE, each between spaces."""
    words = significant_words(title, limit=50)
    return f" {' '.join(words)} " if words else ""


def search_text(title: str, html: str) -> str:
    """What `Proposal.search_text` stores: the normalised title and plain text."""
    return f" {normalise(title)} {normalise(plain_text(html))} "


def search_terms(query: str, limit: int = MAX_WORDS) -> list[str]:
    """The words of a search QUERY, normalised (short words kept: a search may be for "5G")."""
    terms: list[str] = []
    for word in normalise(query).split():
        if word not in terms:
            terms.append(word)
    return terms[:limit]
