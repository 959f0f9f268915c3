"""Helpers the tests share: the clock, threads against the database, and the test client.

``clock`` names and freezes moments; ``concurrency`` runs work in parallel threads, each on its own
connection; ``http`` logs the test client in and reads what a page says. Nothing here builds rows: that is
``tests.factories`` (plain rows) and the services (everything with rules).
"""
