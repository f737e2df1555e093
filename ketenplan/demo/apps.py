from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ketenplan.demo"
    verbose_name = "Demo region"
