"""French free text → the terms that themes and similar ideas compare.

One way to read a text, for every engine that compares texts: lower case, elisions taken off (« l'école » →
« école »), French function words left out, each word reduced to its Snowball stem (« pistes cyclables » and
« piste cyclable » give the same two terms), accents taken off after stemming (« vélo » and « velo » meet), digits
and one-letter words left out. Nothing is downloaded: the stemmer is a package, the stop words are below.

`analyse(text)` gives (term, word) pairs, so that a theme can be labelled with a word people wrote rather than a
stem; `terms(text)` the terms alone; `vectorizer()` a scikit-learn TF-IDF vectoriser reading texts this way.
"""

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer

# Elided articles and pronouns: l', d', qu', jusqu'… (straight or typographic apostrophe).
ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|quelqu)['’]", re.IGNORECASE)
# A word: letters, possibly joined by hyphens (« vélo-école », « Saint-Denis »); digits and underscores are not.
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Longer texts are cut: a report or a proposal says what it is about well before that.
MAX_CHARACTERS = 20_000

# French function words (articles, pronouns, prepositions, conjunctions, common auxiliaries' forms, adverbs of
# degree), written without accents: words are compared once their accents are taken off.
STOP_WORDS = frozenset("""
a ai aie aient aies ait alors as au aucun aucune aupres aussi autre autres aux avaient avais avait avant avec
avez aviez avions avoir avons ayant ayez ayons c ca car ce ceci cela celle celles celui cependant ces cet cette
ceux chacun chaque chez ci comme comment contre d dans de depuis des deja dont donc du elle elles en encore entre
es est et etaient etais etait etant ete etes etiez etions etre eu eue eues eumes eurent eus eusse eussent
eusses eussiez eussions eut eutes eux fait faire faut fois furent fus fusse fussent fusses fussiez fussions fut
futes ici il ils j je jusqu l la le les leur leurs lors lui m ma mais me meme memes mes moi moins mon n ne ni
non nos notre nous on ont ou par parce pas peu peut plus pour pourquoi qu quand que quel quelle quelles quels
qui quoi s sa sans se sera serai seraient serais serait seras serez seriez serions serons seront ses si sien
soi soient sois soit sommes son sont sous soyez soyons suis sur t ta te tes toi ton tous tout toute toutes tres
trop tu un une unes uns vers voila vos votre vous vu y
""".split())

_local = threading.local()


def _stemmer():
    """A Snowball stemmer for this thread (a stemmer keeps the word it works on: not shared between threads)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer


def strip_accents(text: str) -> str:
    """« Végétalisation » → « Vegetalisation »: the letters without their accents (œ and æ stay as they are)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=100_000)
def term(word: str) -> str:
    """The term of one lower-case word: its French stem, without accents (empty for a function word)."""
    if strip_accents(word) in STOP_WORDS:
        return ""
    return strip_accents(_stemmer().stemWord(word))


def analyse(text: str) -> list[tuple[str, str]]:
    """The (term, word) pairs of TEXT in their order; the word as written, in lower case."""
    text = ELISION.sub(" ", (text or "")[:MAX_CHARACTERS].lower())
    pairs = []
    for match in WORD.finditer(text):
        for word in match.group().split("-"):
            if len(word) < 2:
                continue
            stem = term(word)
            if len(stem) >= 2:
                pairs.append((stem, word))
    return pairs


def terms(text: str) -> list[str]:
    """The terms of TEXT, in order (repeated terms repeated)."""
    return [stem for stem, _word in analyse(text)]


def vectorizer(**options) -> TfidfVectorizer:
    """A TF-IDF vectoriser that reads texts with `terms`; OPTIONS go to scikit-learn (min_df, max_features…).

    Sublinear term frequency by default: a word said five times does not weigh five times as much.
    """
    options.setdefault("sublinear_tf", True)
    options.setdefault("dtype", "float32")
    return TfidfVectorizer(analyzer=terms, **options)
