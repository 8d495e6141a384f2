"""Make the small copies of photos stored before copies were made (the pages would otherwise
make each on its first request)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework import services
from casework.attachments import IMAGE_TYPES
from casework.models import Attachment


class Command(BaseCommand):
    help = "Make the 200 and 800 px copies of stored photos that have none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=200, help="photos read per query")

    def handle(self, *args: Any, **options: Any) -> None:
        made = failed = 0
        last = 0
        while True:
            batch = list(
                Attachment.objects.filter(
                    pk__gt=last, content_type__in=IMAGE_TYPES, thumb_small=""
                ).order_by("pk")[: options["batch"]]
            )
            if not batch:
                break
            for attachment in batch:
                last = attachment.pk
                try:
                    done = services.ensure_thumbnails(attachment)
                except OSError as error:
                    done = False
                    self.stderr.write(f"attachment {attachment.pk}: {error}")
                else:
                    if not done:
                        self.stderr.write(f"attachment {attachment.pk}: not a readable image")
                made += done
                failed += not done
        self.stdout.write(f"{made} photos given thumbnails, {failed} left without")
