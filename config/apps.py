from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """Collects static files without viewflow's own front end (unused here: its fonts' CSS
    refers to files the package does not ship, which a hashed manifest refuses)."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "viewflow"]


class LocalFolders(AppConfig):
    """Creates the folders of this machine that the settings write to (``LOCAL_FOLDERS``)
    when Django starts: reading the settings creates nothing."""

    name = "config"
    label = "aspirasi_local"
    verbose_name = "Local folders"

    def ready(self) -> None:
        for folder in getattr(settings, "LOCAL_FOLDERS", []):
            Path(folder).mkdir(parents=True, exist_ok=True)
