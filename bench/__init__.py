"""Benchmarks: ``make bench`` (``python -m bench``).

gunicorn with sync workers serves the app from a fresh PostgreSQL database;
a separate load process (``bench.load``) drives it; every figure is printed
as one JSON line on stdout, and each page is compared with the constant
baseline view measured in the same run. Benchmarks never assert timings.
"""
