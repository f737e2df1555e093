"""Load the shipped method profiles and life domains, so that a fresh database has them.

Existing rows are left alone; `manage.py load_methods` (re)loads files later on.
"""

from django.db import migrations
from django.utils import timezone


def load_shipped(apps, schema_editor):
    from ketenplan.methods import definitions

    MethodProfile = apps.get_model("methods", "MethodProfile")
    LifeDomain = apps.get_model("methods", "LifeDomain")
    now = timezone.now()
    for path in definitions.shipped_profile_paths():
        definition = definitions.parse_profile(path.read_text(encoding="utf-8"))
        MethodProfile.objects.get_or_create(
            key=definition["key"],
            defaults={**definitions.profile_fields(definition), "loaded_at": now},
        )
    domains = definitions.parse_life_domains(
        definitions.SHIPPED_LIFE_DOMAINS.read_text(encoding="utf-8")
    )
    for position, domain in enumerate(domains):
        LifeDomain.objects.get_or_create(
            key=domain["key"], defaults=definitions.life_domain_fields(position, domain)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("methods", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_shipped, migrations.RunPython.noop),
    ]
