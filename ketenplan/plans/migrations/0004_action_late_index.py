# The agenda's "cases whose actions are late" (meetings.agenda.propose) reads open
# actions past a date per case: an index on (status, due_on, case) serves it alone.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_encrypt_free_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["status", "due_on", "case"], name="action_late_idx"),
        ),
    ]
