"""Insights: the population of each commune by age band (INSEE census), how the participants compare with it
(representativeness) and results weighted to it (weighting.py)."""
