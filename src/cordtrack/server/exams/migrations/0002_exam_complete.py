from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("exams", "0001_initial")]

    operations = [
        migrations.AddField("isncsciexam", "complete", models.BooleanField(default=True)),
    ]
