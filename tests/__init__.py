"""The test suite: pytest-django tests, one folder per app plus end-to-end."""
