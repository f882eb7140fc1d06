"""Themes for 20,000 French texts: the whole computation the worker does, without the database.

Run from the repository root:
  .venv/bin/python -m bench.themes [--texts 20000]
The texts are generated from ten subjects of a commune (cycling, trees, litter, schools...), each with its own
words, mixed with words every subject uses and a share of words of another subject, in sentences of 8 to 40 words.
It prints the time of each step (reading and TF-IDF, LSA, k-means with the silhouette for k = 3..12, labels and
central texts, matching with a previous run), the purity of the themes against the subjects, the process's peak
memory and the machine's load. Target: < 30 s for 20,000 texts.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import Counter

from concerto.core.texts import clustering

SUBJECTS = {
    "vélo": "vélo vélos piste pistes cyclable cyclables cycliste cyclistes arceaux garer stationnement réparer "
            "atelier carrefour sas voie verte pédaler casque trottinette double-sens",
    "arbres": "arbre arbres planter plantation ombre fraîcheur verger pommiers haie haies pelouse forêt feuillage "
              "racines canopée îlot chaleur platanes tilleuls",
    "propreté": "poubelle poubelles déchets trottoir trottoirs sale sales nettoyage ramassage encombrants mégots "
                "cendriers tri dépôt sauvage balayage propreté tags collecte",
    "école": "école écoles cantine enfants élèves classe cour récréation périscolaire enseignants devoirs "
             "maternelle primaire goûter rentrée cartable parents",
    "sécurité": "sécurité éclairage lampadaires nuit police caméras agression vitesse ralentisseur radar "
                "passage piéton dangereux accident voitures rapides",
    "sport": "sport stade gymnase piscine terrain football basket tennis course musculation agrès club "
             "entraînement équipe vestiaires natation",
    "culture": "culture médiathèque livres concert musique théâtre cinéma exposition festival artistes "
               "bibliothèque lecture spectacle danse fresque",
    "seniors": "seniors personnes âgées isolement visite bancs repos résidence aide domicile solidarité "
               "retraités voisins canicule téléphone accompagnement",
    "jardins": "jardin jardins potager légumes compost composteur bacs partagé semis graines fleurs abeilles "
               "ruches arrosage récupérateur pluie",
    "transports": "bus tramway métro ligne lignes arrêt arrêts horaires fréquence navette gare correspondance "
                  "ticket abonnement attente retard",
}
COMMON = ("quartier ville commune rue place habitants projet proposer idée mairie besoin mieux nouveau plus "
          "souvent avenue centre samedi année famille tous ensemble vie cadre simple rapide").split()
LINKS = "le la les des un une pour dans avec sur au aux du de et qui que plus très".split()


def generate(count: int, seed: int = 0) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    names = list(SUBJECTS)
    vocabularies = [SUBJECTS[name].split() for name in names]
    texts, truth = [], []
    for _number in range(count):
        subject = rng.randrange(len(names))
        other = rng.randrange(len(names))
        words = []
        for _word in range(rng.randint(8, 40)):
            draw = rng.random()
            if draw < 0.45:
                words.append(rng.choice(vocabularies[subject]))
            elif draw < 0.55:
                words.append(rng.choice(vocabularies[other]))
            elif draw < 0.8:
                words.append(rng.choice(COMMON))
            else:
                words.append(rng.choice(LINKS))
        text = " ".join(words)
        texts.append(text[:1].upper() + text[1:] + ".")
        truth.append(subject)
    return texts, truth


def peak_memory_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=20_000)
    options = parser.parse_args()
    texts, truth = generate(options.texts)
    print(f"{len(texts)} texts, {sum(len(t.split()) for t in texts) / len(texts):.1f} words each on average")
    start, cpu = time.perf_counter(), time.process_time()
    reading = clustering.read(texts)
    read_at = time.perf_counter()
    labels = clustering.clusters(reading.z)
    clustered_at = time.perf_counter()
    overall = clustering.overall_mean(reading)
    members: dict[int, list[int]] = {}
    for row, label in enumerate(labels.tolist()):
        members.setdefault(label, []).append(row)
    described = {label: clustering.describe(reading, rows, overall) for label, rows in members.items()}
    described_at = time.perf_counter()
    keys = {label: {f"t:{reading.kept[row]}" for row in rows} for label, rows in members.items()}
    clustering.match(keys, keys, len(keys) + 1)
    end, cpu = time.perf_counter(), time.process_time() - cpu
    kept_truth = [truth[i] for i in reading.kept]
    majority = sum(Counter(kept_truth[row] for row in rows).most_common(1)[0][1] for rows in members.values())
    print(f"reading, TF-IDF and LSA ({reading.x.shape[1]} terms, {reading.z.shape[1]} dimensions): "
          f"{read_at - start:.2f} s")
    print(f"k-means and silhouette for k = {clustering.MIN_THEMES}..{clustering.MAX_THEMES}: "
          f"{clustered_at - read_at:.2f} s, {len(members)} themes")
    print(f"labels and central texts: {described_at - read_at - (clustered_at - read_at):.2f} s; "
          f"matching with a previous run: {end - described_at:.2f} s")
    print(f"total: {end - start:.2f} s (target < 30 s), {cpu:.2f} s of CPU; "
          f"purity against the subjects: {majority / len(kept_truth):.3f}")
    for label, rows in sorted(members.items(), key=lambda item: -len(item[1]))[:12]:
        print(f"  {len(rows):6d}  {described[label].label}")
    print(f"peak memory of the process: {peak_memory_mb():.0f} MB")
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
