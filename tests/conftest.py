import pytest

from casework import caches, refdata
from casework.models import Region, Unit, UnitKind
from casework.reference import load_reference, load_regions

from .factories import make_officer

pytest_plugins = ["tests.support.no_skips"]

DESA = "35.08.01.2001"  # Tegalrejo, Kec. Tempursari: its KIM is active in tests
DESA_2 = "35.08.01.2002"  # Bulurejo, same kecamatan
DESA_INACTIVE = "35.08.01.2003"  # same kecamatan, KIM inactive
KECAMATAN = "35.08.01"
OTHER_DESA = "35.08.02.2001"  # another kecamatan
OTHER_KECAMATAN = "35.08.02"
KABUPATEN = "35.08"


def ensure_reference() -> None:
    if not Region.objects.exists():
        load_regions()
        load_reference()
    Unit.objects.filter(kind=UnitKind.KIM, code__in=[DESA, DESA_2, OTHER_DESA]).update(active=True)
    refdata.invalidate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_reference()


@pytest.fixture
def reference(db):
    ensure_reference()


@pytest.fixture
def officers(reference):
    """One officer of every role, in scope of DESA/KECAMATAN, plus out-of-scope ones."""
    return {
        "kim": make_officer("kim_operator", DESA, "kim"),
        "kim_other": make_officer("kim_operator", OTHER_DESA, "kim_other"),
        "forum": make_officer("forum_officer", KECAMATAN, "forum"),
        "forum2": make_officer("forum_officer", KECAMATAN, "forum2"),
        "coordinator": make_officer("forum_coordinator", KECAMATAN, "coordinator"),
        "forum_other": make_officer("forum_officer", OTHER_KECAMATAN, "forum_other"),
        "pu": make_officer("opd_officer", "dputr", "pu"),
        "pu2": make_officer("opd_officer", "dputr", "pu2"),
        "pu_head": make_officer("opd_head", "dputr", "pu_head"),
        "dinkes": make_officer("opd_officer", "dinkes", "dinkes"),
        "dinsos": make_officer("opd_officer", "dinsos", "dinsos"),
        "supervisor": make_officer("supervisor", KABUPATEN, "supervisor"),
    }


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with fresh per-process caches (reference data, the working-day
    calendar) and no rate-limit counts."""
    from django.core.cache import cache

    caches.clear_all()
    cache.clear()
    yield
    caches.clear_all()


class Worker:
    """Stands for the broker and a worker: runs the task a request publishes, by its name,
    at once (so the test sees its outcome)."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict]] = []

    def send_task(self, name: str, kwargs: dict) -> None:
        from config.celery import app

        self.published.append((name, kwargs))
        app.tasks[name](**kwargs)


@pytest.fixture
def resend_worker(monkeypatch) -> Worker:
    import casework.tasks  # noqa: F401  (registers the tasks)
    from casework.services import citizen

    running = Worker()
    monkeypatch.setattr(citizen, "current_app", running)
    return running
