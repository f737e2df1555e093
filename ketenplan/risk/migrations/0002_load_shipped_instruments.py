"""Load the shipped risk instruments, so that a fresh database has them.

Existing instruments are left alone; `manage.py load_instruments` loads changed files as
new versions later on.
"""

from django.db import migrations
from django.utils import timezone


def load_shipped(apps, schema_editor):
    from ketenplan.risk import schema

    Instrument = apps.get_model("risk", "Instrument")
    InstrumentVersion = apps.get_model("risk", "InstrumentVersion")
    now = timezone.now()
    for path in schema.shipped_paths():
        text = path.read_text(encoding="utf-8")
        definition = schema.parse(text)
        if Instrument.objects.filter(key=definition["key"]).exists():
            continue
        instrument = Instrument.objects.create(
            key=definition["key"],
            name_nl=definition["name"]["nl"],
            name_en=definition["name"]["en"],
            created_at=now,
        )
        version = InstrumentVersion.objects.create(
            instrument=instrument,
            number=definition["version"],
            definition=definition,
            source_text=text,
            source=f"shipped: {path.name}",
            loaded_at=now,
        )
        instrument.current_version = version
        instrument.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_shipped, migrations.RunPython.noop),
    ]
