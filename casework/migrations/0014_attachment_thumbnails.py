"""A photo's small copies (200 and 800 px on the long side) and its upright size."""

from django.db import migrations, models

import casework.attachments


class Migration(migrations.Migration):
    dependencies = [("casework", "0013_idempotency_keys")]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="thumb_small",
            field=models.FileField(
                blank=True,
                max_length=200,
                upload_to=casework.attachments.upload_path,
                verbose_name="small copy",
            ),
        ),
        migrations.AddField(
            model_name="attachment",
            name="thumb_large",
            field=models.FileField(
                blank=True,
                max_length=200,
                upload_to=casework.attachments.upload_path,
                verbose_name="large copy",
            ),
        ),
        migrations.AddField(
            model_name="attachment",
            name="width",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="width"),
        ),
        migrations.AddField(
            model_name="attachment",
            name="height",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="height"),
        ),
    ]
