import factory

from tenants.models import Tenant


class TenantFactory(factory.django.DjangoModelFactory):
    """A tenant row without a schema (for tests of the public side); provision it when needed."""

    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Workspace {n}")
    subdomain = factory.Sequence(lambda n: f"ws-{n}")
    schema_name = factory.LazyAttribute(lambda o: "t_" + o.subdomain.replace("-", "_"))
    state = Tenant.State.PENDING
