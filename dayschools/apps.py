from django.apps import AppConfig


class DayschoolsConfig(AppConfig):
    name = "dayschools"
    verbose_name = "Day schools"
