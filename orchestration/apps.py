from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrchestrationConfig(AppConfig):
    name = "orchestration"
<<<<<<< HEAD
    verbose_name = _("Language models")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import selectors
        from .models import OrchestrationSettings, ProviderCredential

        def changed(**_kwargs) -> None:
            selectors.config_changed()

        for model in (OrchestrationSettings, ProviderCredential):
            uid = f"orchestration-config-{model.__name__}"
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
=======
>>>>>>> main
