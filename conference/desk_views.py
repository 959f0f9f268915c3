"""Placeholder: its owner fills in the pages and their urlpatterns."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
