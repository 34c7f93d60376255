"""What per-field change tracking costs next to plain SQLAlchemy, per workload.

Run ``python -m benchmarks --db sqlite|postgresql|mariadb --n 10000 --repeat 5``
from the project root (``pip install -e '.[bench]'`` first); it prints a table
and writes JSON and Markdown to ``benchmarks/results/``. ``--sweep`` runs the
scaling sweep instead (``benchmarks/sweep.py``): the SQL-mode layouts, their
floors and plain over N x tracked fields, W1-W4, with a table and a plot.
"""
