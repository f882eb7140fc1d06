"""The opinions component: statements voted agree / disagree / pass, opinion groups and consensus as in Polis.

Its maths (maths.py) and the openData reader (opendata.py) need no Django: `manage.py opinion_groups DIR`
runs them without setting Django up (cli.py).
"""
