"""Similar ideas while typing: 100,000 generated French proposals, the index's build time and memory, then
p50/p95/p99 of queries made of partial texts as a resident types them.

Run from the repository root:
  .venv/bin/python -m bench.similar_ideas [--proposals 100000] [--queries 500]
Proposals are sentences built from lists of French verbs, nouns, qualifiers, places and reasons (titles of 4 to
10 words, texts of one to three sentences), so that the vocabulary and the frequent words look like a real
participatory space. The index is the one of concerto/core/texts/similar.py (fit in the process, as a background
fit does); each query is the beginning of a title, then of a title and the start of a text (what the form sends
after a pause while typing), timed through `similar()` on a scope already fitted (what a request does once the
version check says nothing changed). Target: p95 < 100 ms.
"""

import argparse
import os
import random
import time

VERBS = ["créer", "installer", "planter", "rénover", "agrandir", "sécuriser", "végétaliser", "ouvrir", "réparer",
         "aménager", "éclairer", "nettoyer", "développer", "protéger", "construire", "embellir", "piétonniser",
         "multiplier", "remplacer", "entretenir"]
NOUNS = ["piste cyclable", "arbre", "banc", "jardin partagé", "aire de jeux", "fontaine à eau", "composteur",
         "parking vélo", "passage piéton", "trottoir", "éclairage public", "poubelle de tri", "terrain de sport",
         "skatepark", "bibliothèque de rue", "toilettes publiques", "marché de producteurs", "ombrière",
         "cour d'école", "potager", "ruche", "abri de bus", "borne de recharge", "mur d'escalade", "piscine",
         "salle de quartier", "espace de coworking", "ludothèque", "kiosque à musique", "table de pique-nique",
         "rue scolaire", "zone de rencontre", "prairie fleurie", "nichoir", "jeu d'eau", "parcours sportif",
         "boîte à livres", "atelier de réparation", "fresque murale", "vestiaire"]
QUALIFIERS = ["sécurisé", "accessible", "ombragé", "écologique", "gratuit", "éclairé", "partagé", "fleuri",
              "moderne", "couvert", "familial", "solidaire", "", "", ""]
PLACES = ["avenue de la République", "rue Victor Hugo", "place de la Mairie", "parc Montsouris",
          "quartier des Épinettes", "rue Jean Jaurès", "boulevard Voltaire", "près de la gare",
          "square Louise Michel", "bords de Marne", "quartier Bel-Air", "rue de Paris", "place du marché",
          "cité Paul Eluard", "près du collège Pasteur", "rue Gambetta", "allée des Tilleuls", "quai de Seine",
          "parvis de l'église", "centre-ville"]
REASONS = ["Les enfants n'ont pas d'endroit pour jouer.", "Les cyclistes se mettent en danger chaque jour.",
           "Il fait trop chaud l'été sans ombre.", "Les personnes âgées ont besoin de s'asseoir.",
           "Le quartier manque de lieux pour se rencontrer.", "Les voitures roulent trop vite ici.",
           "On pourrait réduire les déchets du quartier.", "La biodiversité recule en ville.",
           "Les habitants le demandent depuis des années.", "Ce serait utile aux écoles voisines.",
           "L'endroit est sale et mal entretenu.", "Les familles viendraient plus souvent.",
           "La nuit, le passage est sombre et inquiétant.", "Les commerçants en profiteraient aussi."]


SYLLABLES = ["ba", "ber", "bo", "ca", "cha", "dan", "de", "dou", "fa", "fer", "ga", "gi", "jo", "la", "ler", "li",
             "lou", "ma", "mar", "mi", "mon", "na", "ni", "pa", "per", "po", "ra", "ri", "ro", "sa", "sé", "ta",
             "ti", "tou", "va", "vi"]
STREETS = ["rue", "allée", "impasse", "avenue", "square", "place", "villa", "passage"]


def proper_name(rng: random.Random) -> str:
    """A made-up street or place name (« rue Marlidou »): the rare words of a real space, which widen its
    vocabulary as the many streets, people and places residents name do."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def proposal(rng: random.Random) -> tuple[str, str]:
    noun = rng.choice(NOUNS)
    plural = rng.random() < 0.4
    words = noun.split(" ", 1)
    noun_text = (words[0] + ("s" if plural and not words[0].endswith(("s", "x")) else "")
                 + (" " + words[1] if len(words) > 1 else ""))
    qualifier = rng.choice(QUALIFIERS)
    if qualifier and plural:
        qualifier += "s"
    article = "des" if plural else rng.choice(["un", "une", "le", "la"])
    place = rng.choice(PLACES) if rng.random() < 0.6 else f"{rng.choice(STREETS)} {proper_name(rng)}"
    title = " ".join(part for part in [rng.choice(VERBS).capitalize(), article, noun_text, qualifier, place] if part)
    text = " ".join(rng.sample(REASONS, rng.randint(1, 3)))
    if rng.random() < 0.5:
        text += f" Par exemple {rng.choice(STREETS)} {proper_name(rng)}, à côté du {rng.choice(NOUNS)}."
    return title, text


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def resident_memory() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    import django

    django.setup()  # settings only: no database is read
    from concerto.core.texts import similar

    rng = random.Random(17)
    generated = [proposal(rng) for _ in range(options.proposals)]
    rows = [(pk, similar.document(title, text)) for pk, (title, text) in enumerate(generated, start=1)]

    memory_before = resident_memory()
    start = time.perf_counter()
    index = similar.build(rows)
    build_seconds = time.perf_counter() - start
    memory_after = resident_memory()
    vocabulary = len(index.vectoriser.vocabulary_)

    version = similar.Version(rows=len(rows), stamp="bench")
    scope = similar.Scope(key="bench", rows=lambda: rows, version=lambda: version)
    index.version, index.checked_at = version, time.monotonic()
    similar._keep(scope.key, index)

    typed = []
    for _ in range(options.queries):
        title, text = proposal(rng)
        whole = title + " " + text if rng.random() < 0.5 else title
        typed.append(whole[:rng.randint(8, len(whole))])

    timings, found = [], 0
    for query in typed:
        start = time.perf_counter()
        result = similar.similar(scope, query)
        timings.append((time.perf_counter() - start) * 1000)
        found += bool(result)

    # The back-office's likely duplicates: the 100 most recent proposals, each whole, against all the others.
    start = time.perf_counter()
    pairs = sum(len(similar.search(index, text, threshold=similar.DUPLICATE_THRESHOLD, exclude=[pk]))
                for pk, text in rows[-100:])
    duplicates_seconds = time.perf_counter() - start

    print(f"proposals: {len(rows):,}  vocabulary: {vocabulary:,} terms  non-zero cells: {index.by_term.nnz:,}")
    print(f"index build: {build_seconds:.1f} s  matrix and ids: {index.nbytes / 1e6:.1f} MB  "
          f"process memory grew by {(memory_after - memory_before) / 1e6:.1f} MB")
    print(f"queries: {len(timings)}  with a suggestion: {found}  "
          f"p50 {percentile(timings, 0.5):.1f} ms  p95 {percentile(timings, 0.95):.1f} ms  "
          f"p99 {percentile(timings, 0.99):.1f} ms  max {max(timings):.1f} ms  (target p95 < 100 ms)")
    print(f"likely duplicates of the 100 most recent proposals: {duplicates_seconds:.2f} s ({pairs} pairs above "
          f"{similar.DUPLICATE_THRESHOLD})")
    print("load average (1, 5, 15 min): " + " ".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    main()
