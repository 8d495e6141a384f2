from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework import ports

        from . import sla
        from .engine import CaseFlowEngine, WorkingDayClock

        ports.register(engine=CaseFlowEngine(), clock=WorkingDayClock())
        sla.connect_invalidation()
