from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """Collects static files without viewflow's own front end (unused here: its fonts' CSS
    refers to files the package does not ship, which a hashed manifest refuses)."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "viewflow"]
