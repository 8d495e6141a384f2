"""How and when an aspiration recorded by an officer was received."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casework", "0010_events_append_only_sqlite")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AddField(
            model_name="case",
            name="received_via",
            field=models.CharField(
                blank=True,
                choices=[
                    ("in_person", "In person"),
                    ("meeting", "At a village meeting"),
                    ("phone", "By phone"),
                    ("message", "By SMS or WhatsApp message"),
                    ("paper", "On paper or by letter"),
                    ("other", "Other"),
                ],
                db_default="",
                help_text="How the officer who recorded it received the aspiration.",
                max_length=10,
                verbose_name="received",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="received_on",
            field=models.DateField(
                blank=True,
                help_text="The day the officer who recorded it received the aspiration.",
                null=True,
                verbose_name="received on",
            ),
        ),
    ]
