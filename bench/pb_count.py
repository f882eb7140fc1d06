"""Counting a Warsaw-scale participatory budget: our engine against pabutools, in the same run.

Run from the repository root: `.venv/bin/python -m bench.pb_count [--preset warsaw|budapest] [--voters N]
[--projects M] [--seed S] [--runs R] [--skip-reference] [--skip-reference-completion] [--step]`.
Builds a deterministic (seeded) approval election. `warsaw` (the default): 80,000 ballots over 90 projects,
skewed popularity, ballots of 1 to 10 projects, costs from 50,000 to 2,000,000, a budget of half the total
cost (about 24,000,000). `budapest`: a budget in forints, 40,000 ballots over 60 projects, costs from
1,500,000 to 60,000,000 and 40 % of their total to share, so that the add1 completion adds thousands of
1-forint increments (Budapest 2024's file is not among the shared data; this is its stand-in).
Times (median of --runs runs) our greedy, Method of Equal Shares at the fixed budget and with the add1
completion, then pabutools' on the same instance (parsed from our pabulib export), and checks that the
winners are identical. `--step` also times our completion without its skipping (one run per increment,
as pabutools does) and checks it gives the same outcome. `--changes` runs the rule at every increment of the
completion and counts those where the order of selection, and those where the selected set, differs from the
increment before (the set alone decides when the completion stops; the skip can only prove an unchanged order).
Then the whole process: `manage.py pb_count` on
the instance written as a pabulib file (start-up, reading and counting), for each rule, median of --runs runs.
Targets: equal shares fixed under 0.2 s, with completion under 5 s; the whole process under 1 s (warsaw).
`--whole-only`: only the whole process of `manage.py pb_count FILE --rule mes` on the instance ("Warsaw 2026":
the warsaw preset, seed 2026), median of --runs runs, against pabutools as a new process on the same file in
the same run (import, parse, one run of equal shares at the file's budget), and pabutools' add1 completion
estimated from it (one such run per increment, as pabutools does: hours on this file, so it is not run).
No database, no Django settings needed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


PRESETS = {  # voters, projects, smallest cost (the largest is 40 times it), share of the total cost, unit
    "warsaw": (80_000, 90, 50_000, 0.5, ("Poland", "Warszawa")),
    "budapest": (40_000, 60, 1_500_000, 0.4, ("Hungary", "Budapest")),
}


def build_election(voters: int, projects: int, seed: int, preset: str = "warsaw"):
    from concerto.components.budgets.counting import Election

    _voters, _projects, smallest, share, (country, unit) = PRESETS[preset]
    rng = random.Random(seed)
    ids = [str(100 + k) for k in range(projects)]
    costs = {}
    for project in ids:
        # log-uniform between the smallest cost and 40 times it, rounded to the thousand
        costs[project] = int(round(smallest * (40 ** rng.random()), -3))
    popularity = [rng.lognormvariate(0, 0.9) for _ in ids]
    total = sum(costs.values())
    budget = int(round(total * share, -5))  # about 24 M with the warsaw defaults
    ballots = []
    for _ in range(voters):
        length = min(projects, rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10)))
        chosen: dict[str, int] = {}
        while len(chosen) < length:
            chosen[rng.choices(ids, weights=popularity)[0]] = 1
        ballots.append(chosen)
    return Election(budget=budget, costs=costs, ballots=ballots, kind="approval",
                    meta={"description": "Bench", "country": country, "unit": unit, "instance": "bench",
                          "budget": str(budget), "vote_type": "approval", "rule": "equalshares/add1"},
                    voter_meta=[{"voter_id": str(i + 1)} for i in range(voters)])


def median_time(function, runs: int):
    """The result, and the median wall-clock and CPU seconds (the CPU time shows the cost on a loaded machine)."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return result, statistics.median(times), statistics.median(cpu)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="warsaw")
    parser.add_argument("--voters", type=int, help="default: the preset's")
    parser.add_argument("--projects", type=int, help="default: the preset's")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-reference", action="store_true", help="do not run pabutools at all")
    parser.add_argument("--skip-reference-completion", action="store_true",
                        help="do not run pabutools' completion (it takes minutes)")
    parser.add_argument("--step", action="store_true",
                        help="also time our completion without skipping, one run per increment")
    parser.add_argument("--changes", action="store_true",
                        help="count the increments where the order of selection, and the selected set, change")
    parser.add_argument("--whole-only", action="store_true",
                        help="only `manage.py pb_count --rule mes` as a whole process, against pabutools' process")
    args = parser.parse_args(argv)
    args.voters = args.voters or PRESETS[args.preset][0]
    args.projects = args.projects or PRESETS[args.preset][1]
    if args.whole_only:
        return whole_only(args)

    from concerto.components.budgets.counting import count, fastmes, write_pabulib

    election = build_election(args.voters, args.projects, args.seed, args.preset)
    lengths = [len(b) for b in election.ballots]
    print(f"Counting bench: {args.voters:,} approval ballots over {args.projects} projects, seed {args.seed}, "
          f"budget {election.budget:,}, ballots of {min(lengths)}-{max(lengths)} projects "
          f"(mean {statistics.mean(lengths):.1f}), total cost {sum(election.costs.values()):,}")
    ours = {}
    for rule in ("greedy", "mes-fixed", "mes"):
        ours[rule] = median_time(lambda rule=rule: count(election, rule), args.runs)
    stepped = None
    if args.step:
        fastmes.SKIP = False
        try:
            stepped = median_time(lambda: count(election, "mes"), 1)
        finally:
            fastmes.SKIP = True
    reference = {}
    if not args.skip_reference:
        try:
            from pabutools.election import Cost_Sat
            from pabutools.election.pabulib import parse_pabulib_from_string
            from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
        except ImportError:
            print("  pabutools is not installed: no reference")
        else:
            instance, profile = parse_pabulib_from_string(write_pabulib(election))
            calls = {
                "greedy": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
                "mes-fixed": lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
                "mes": lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat,
                                                      voter_budget_increment=1),
            }
            for rule, call in calls.items():
                if rule == "mes" and args.skip_reference_completion:
                    continue
                allocation, seconds, cpu = median_time(call, 1)
                reference[rule] = ([p.name for p in allocation], seconds, cpu)

    print(f"  {'rule':<28} {'ours s':>8} {'(cpu)':>7} {'pabutools s':>12} {'(cpu)':>8} {'ratio':>7}  winners")
    verdict = True
    for rule, label in (("greedy", "greedy by votes"), ("mes-fixed", "equal shares, fixed budget"),
                        ("mes", "equal shares + add1")):
        outcome, seconds, cpu = ours[rule]
        if rule in reference:
            selected, ref_seconds, ref_cpu = reference[rule]
            same = selected == outcome.selected
            verdict &= same
            print(f"  {label:<28} {seconds:8.3f} {cpu:7.3f} {ref_seconds:12.3f} {ref_cpu:8.3f} "
                  f"{ref_seconds / seconds:6.0f}x  {'identical' if same else 'DIFFERENT'} "
                  f"({len(outcome.selected)} projects)")
        else:
            print(f"  {label:<28} {seconds:8.3f} {cpu:7.3f} {'-':>12} {'-':>8} {'-':>7}  "
                  f"({len(outcome.selected)} projects)")
    mes = ours["mes"][0]
    print(f"  completion: budget per voter {float(election.budget) / args.voters:.2f} -> {mes.voter_budget:.2f} "
          f"({mes.voter_budget - float(election.budget) / args.voters:.0f} increments), "
          f"spent {mes.spent:,} of {election.budget:,}")
    if stepped is not None:
        same = stepped[0].to_json() == mes.to_json()
        verdict &= same
        print(f"  {'add1, one run per increment':<28} {stepped[1]:8.3f} {stepped[2]:7.3f}  "
              f"{stepped[1] / ours['mes'][1]:.1f}x the time of the skipping completion; outcome "
              f"{'identical' if same else 'DIFFERENT'}")
    if args.changes:
        order, chosen, increments = changes(election, mes.voter_budget)
        print(f"  along the completion: the order of selection changes at {order} of {increments} increments, "
              f"the selected set at {chosen}")
    text = write_pabulib(election)
    wholes = {}
    for rule in ("greedy", "mes-fixed", "mes"):
        wholes[rule] = whole_process(text, args.runs, rule)
        ratio = (f"; pabutools counting alone (parsed beforehand) takes {reference[rule][1] / wholes[rule][0]:.0f}x "
                 f"this wall clock, {reference[rule][2] / wholes[rule][1]:.0f}x this CPU" if rule in reference else "")
        print(f"  whole process `manage.py pb_count FILE --rule {rule}` (start-up, reading, counting): median "
              f"{wholes[rule][0]:.3f} s wall, {wholes[rule][1]:.3f} s CPU, of {args.runs} runs{ratio}")
    whole = max(wall for wall, _cpu in wholes.values())
    whole_cpu = max(cpu for _wall, cpu in wholes.values())
    fast = ours["mes-fixed"][1] < 0.2 and ours["mes"][1] < 5
    fast_cpu = ours["mes-fixed"][2] < 0.2 and ours["mes"][2] < 5
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  target: equal shares fixed < 0.2 s and with completion < 5 s: wall clock {'OK' if fast else 'FAIL'}, "
          f"CPU {'OK' if fast_cpu else 'FAIL'}; winners identical to pabutools: {'OK' if verdict else 'FAIL'}"
          f"{'' if reference else ' (not checked)'}; whole process < 1 s for every rule: "
          f"wall clock {'OK' if whole < 1 else 'FAIL'} (CPU {whole_cpu:.3f} s: the completion runs on two "
          f"threads); {_engine()}")
    return 0 if fast and verdict else 1


def changes(election, last: float) -> tuple[int, int, int]:
    """Along the completion (start to `last` per voter, one run per increment): how many increments change
    the order of selection, how many change the selected set, and how many increments there are."""
    from fractions import Fraction

    from concerto.components.budgets.counting import fastmes

    prep = fastmes.prepare(election)
    data = fastmes.FastData(prep)
    start = Fraction(election.budget) / prep.voters
    increments = round(last - float(start))
    previous, order, chosen = None, 0, 0
    for step in range(increments + 1):
        selection = [j for j, _price in fastmes.run(prep, start + step, data).selected]
        if previous is not None:
            order += selection != previous
            chosen += set(selection) != set(previous)
        previous = selection
    return order, chosen, increments


def whole_process(text: str, runs: int, rule: str = "mes") -> tuple[float, float]:
    """Median wall-clock and CPU seconds of `python manage.py pb_count FILE --rule RULE` as a new process."""
    import resource
    import subprocess
    import tempfile

    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.pb"
        path.write_text(text, encoding="utf-8")
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "manage.py"), "pb_count", str(path), "--rule", rule],
                           check=True, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


PABUTOOLS_PROCESS = """
import sys, time
from pabutools.election import Cost_Sat
from pabutools.election.pabulib import parse_pabulib
from pabutools.rules import method_of_equal_shares
instance, profile = parse_pabulib(sys.argv[1])
start = time.perf_counter()
selected = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
print(len(selected), time.perf_counter() - start)
"""


def timed_process(command: list[str]) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds (user + system) of a new process, and its standard output."""
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, done.stdout


def whole_only(args) -> int:
    """`manage.py pb_count FILE --rule mes` as a whole process on the instance, and pabutools' process."""
    import json
    import tempfile

    from concerto.components.budgets.counting import write_pabulib

    election = build_election(args.voters, args.projects, args.seed, args.preset)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.pb"
        path.write_text(write_pabulib(election), encoding="utf-8")
        walls, cpus, selected = [], [], None
        for _ in range(args.runs):
            wall, cpu, out = timed_process([sys.executable, str(ROOT / "manage.py"), "pb_count", str(path),
                                            "--rule", "mes"])
            walls.append(wall)
            cpus.append(cpu)
            selected = json.loads(out)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"Whole process `manage.py pb_count FILE --rule mes` on {args.preset} (seed {args.seed}: "
              f"{args.voters:,} ballots, {args.projects} projects, {path.stat().st_size / 1e6:.1f} MB): median "
              f"{wall:.3f} s wall, {cpu:.3f} s CPU of {args.runs} runs (min {min(walls):.3f} s, max "
              f"{max(walls):.3f} s); {len(selected)} projects; target < 1 s: {'OK' if wall < 1 else 'FAIL'}")
        if not args.skip_reference:
            try:
                ref_wall, ref_cpu, out = timed_process([sys.executable, "-c", PABUTOOLS_PROCESS, str(path)])
                projects, one_run = out.split()
            except Exception as exc:  # noqa: BLE001 - pabutools missing or failing: no reference
                print(f"  pabutools: no reference ({exc})")
            else:
                from concerto.components.budgets.counting import count

                mes = count(election, "mes")
                increments = round(mes.voter_budget - float(election.budget) / args.voters)
                completion = ref_wall + float(one_run) * increments  # one more run per increment
                print(f"  pabutools, new process (import, parse, equal shares at the file's budget, {projects} "
                      f"projects, {float(one_run):.1f} s for the count): {ref_wall:.1f} s wall, {ref_cpu:.1f} s CPU: "
                      f"{ref_wall / wall:.0f}x our whole `mes` wall clock, {ref_cpu / cpu:.0f}x its CPU")
                print(f"  pabutools with the add1 completion ({increments + 1} runs, one per increment): about "
                      f"{completion / 3600:.1f} h, {completion / wall:,.0f}x our wall clock (estimated, not run)")
    print(f"  load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores; "
          f"{_engine()}")
    return 0 if wall < 1 else 1


def _engine() -> str:
    from concerto.components.budgets.counting import fastmes

    return ("equal shares' runs compiled (counting/_mes.c), the completion on two threads" if fastmes.COMPILED
            else "equal shares' runs in numpy: counting/_mes.c is not built (`make install` with a C compiler)")


if __name__ == "__main__":
    sys.exit(main())
