"""Demo branches and staff: a few branches, one user of each role per branch, and an admin."""

from django.db import transaction

from branch_courier.accounts.models import Branch, User

DEMO_BRANCHES = [
    ("NYC01", "New York Midtown", "New York", "America/New_York"),
    ("BOS01", "Boston Back Bay", "Boston", "America/New_York"),
    ("CHI01", "Chicago Loop", "Chicago", "America/Chicago"),
]
ROLES = [User.Role.CLERK, User.Role.SUPERVISOR, User.Role.AUDITOR]


@transaction.atomic
def seed_staff(*, password: str) -> list[str]:
    """Create (or refresh) the demo branches and staff; safe to run any number of times."""
    usernames = []
    for code, name, city, tz in DEMO_BRANCHES:
        branch, _ = Branch.objects.update_or_create(
            code=code,
            defaults={"name": name, "city": city, "timezone": tz, "opening_hours": "Mon-Sat 08:00-19:00"},
        )
        for role in ROLES:
            username = f"{role.lower()}.{code.lower()}"
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "branch": branch,
                    "role": role,
                    "first_name": role.label,
                    "last_name": code,
                    "is_active": True,
                },
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            usernames.append(username)
    admin, _ = User.objects.update_or_create(
        username="admin",
        defaults={
            "is_staff": True,
            "is_superuser": True,
            "is_active": True,
            "branch": None,
            "role": User.Role.SUPERVISOR,
        },
    )
    admin.set_password(password)
    admin.save(update_fields=["password"])
    usernames.append("admin")
    return usernames
