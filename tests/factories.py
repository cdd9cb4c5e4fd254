"""factory-boy factories for test data (no fixture files)."""

import factory

from branch_courier.accounts.models import Branch, User

PASSWORD = "correct-horse-battery"


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Branch {o.code}")
    city = factory.Faker("city")
    opening_hours = "Mon-Fri 08:00-18:00"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    branch = factory.SubFactory(BranchFactory)
    role = User.Role.CLERK
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()
