"""The one compiled part: the counting engine's inner loop (concerto/components/budgets/counting/_mes.c).

Everything else is declared in pyproject.toml. The extension is optional: without a C compiler the install
goes on and the engine counts with numpy alone (the same outcomes, slower; see fastmes.py)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("concerto.components.budgets.counting._mes",
                             ["concerto/components/budgets/counting/_mes.c"], optional=True)])
