"""Tests for the committees app: cycles, meetings, notices, minutes and actions."""
