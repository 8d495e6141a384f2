import pytest


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, request):
    """Each test counts its own rate limits (a private in-memory cache) and stores its
    uploads under its own folder."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"public-{request.node.nodeid}",
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
