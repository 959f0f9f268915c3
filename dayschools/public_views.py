"""Public day-school pages and bookings (being written)."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path


def booking_link(request: HttpRequest, token: str) -> HttpResponse:  # replaced by the booking pages
    return HttpResponse(status=404)


urlpatterns: list[URLPattern] = [
    path("dayschools/booking/<str:token>/", booking_link, name="booking_link"),
]
