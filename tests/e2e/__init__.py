"""End-to-end journeys: Chromium driven by Playwright against a live server, axe on every page."""
