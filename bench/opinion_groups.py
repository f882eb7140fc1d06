"""Opinion groups: the maths on 5,000 participants x 1,000 statements (>= 30 % of cells voted), and on the largest
shared Polis conversation through the command line.

Run from the repository root:
  .venv/bin/python -m bench.opinion_groups [--participants 5000] [--statements 1000] [--density 0.35]
The synthetic conversation has four camps with their own stances and 20 % of votes against the camp's stance
(passes included). It prints the time of each step (vote matrix, PCA, k-means and silhouette, repness and
consensus; best of --repeat runs), the whole `opinion_groups()` call, then the command
`manage.py opinion_groups DIR` as a process (start-up included) on the largest conversation of
../shared/data/polis, and the machine's load. Target: < 1 s for the synthetic conversation.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from concerto.components.opinions import maths

ROOT = Path(__file__).resolve().parents[1]
DATA_CANDIDATES = [ROOT.parent / "shared" / "data" / "polis", ROOT.parent.parent / "shared" / "data" / "polis"]


def synthetic(participants: int, statements: int, density: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    stances = rng.choice([-1.0, 1.0, 0.0], size=(4, statements), p=[0.45, 0.45, 0.10])
    camp = rng.integers(0, 4, size=participants)
    matrix = stances[camp]
    flip = rng.random(matrix.shape) < 0.2
    matrix = np.where(flip, rng.choice([-1.0, 0.0, 1.0], size=matrix.shape), matrix)
    matrix[rng.random(matrix.shape) >= density] = np.nan
    return matrix


def best_of(repeat: int, function, *args):
    best, value = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function(*args)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, value


def largest_conversation() -> Path | None:
    for data in DATA_CANDIDATES:
        if data.is_dir():
            folders = [f for f in data.iterdir() if (f / "votes.csv").is_file()]
            if folders:
                return max(folders, key=lambda f: (f / "votes.csv").stat().st_size)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--density", type=float, default=0.35)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    matrix = synthetic(arguments.participants, arguments.statements, arguments.density)
    voted = float(np.mean(~np.isnan(matrix)))
    ids, statement_ids = list(range(len(matrix))), list(range(matrix.shape[1]))
    print(f"synthetic: {matrix.shape[0]} participants x {matrix.shape[1]} statements, {voted:.0%} of cells voted")
    maths.opinion_groups(matrix[:200], ids[:200], statement_ids)  # imports and first-call costs out of the figures

    keep = maths.in_conversation(matrix, ids)
    kept = matrix[keep]
    with threadpool_limits(limits=1):  # as opinion_groups() does
        t_project, coordinates = best_of(arguments.repeat, maths.project, kept)
        t_cluster, (labels, k, _score) = best_of(arguments.repeat, maths.cluster, coordinates,
                                                 maths.max_groups(len(kept)))
        t_repness, _ = best_of(arguments.repeat, lambda: maths.representative_statements(
            maths.repness(kept, labels, k), statement_ids))
    t_total, result = best_of(arguments.repeat, maths.opinion_groups, matrix, ids, statement_ids)
    print(f"  PCA {t_project * 1000:.0f} ms, k-means + silhouette {t_cluster * 1000:.0f} ms, "
          f"repness {t_repness * 1000:.0f} ms")
    print(f"  opinion_groups(): {t_total * 1000:.0f} ms (best of {arguments.repeat}), k = {result.k}, "
          f"groups of {np.bincount(result.labels).tolist()}, target < 1000 ms: "
          f"{'met' if t_total < 1 else 'MISSED'}")

    folder = largest_conversation()
    if folder is not None:
        lines = sum(1 for _ in (folder / "votes.csv").open()) - 1
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "manage.py", "opinion_groups", str(folder)], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        print(f"largest shared conversation: {folder.name} ({lines} votes): `manage.py opinion_groups` "
              f"{elapsed * 1000:.0f} ms as a process, exit {done.returncode}")
        start = time.perf_counter()
        from concerto.components.opinions.cli import compute

        compute(folder)
        print(f"  the maths alone (reading the CSV files included): {(time.perf_counter() - start) * 1000:.0f} ms")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
