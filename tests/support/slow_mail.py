"""An e-mail backend that takes its time: lets a test kill a worker in the middle of sending."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class SlowEmailBackend(EmailBackend):
    def send_messages(self, email_messages):
        marker = Path(os.environ["EMAIL_FILE_PATH"]) / "started"
        marker.write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "4")))
        return super().send_messages(email_messages)
