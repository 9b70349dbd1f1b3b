import factory

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """Create inside a tenant's schema: ``with in_tenant(tenant_a): UserFactory()``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = User.Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-9")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()
