"""Branches and the staff who work at them."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Branch(models.Model):
    code = models.CharField(max_length=8, unique=True, help_text="Short code printed on labels, e.g. NYC01.")
    name = models.CharField(max_length=120)
    city = models.CharField(max_length=80, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    opening_hours = models.CharField(max_length=120, blank=True, help_text="e.g. Mon-Fri 08:00-18:00")
    timezone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "branches"
        constraints = [
            models.CheckConstraint(condition=~models.Q(code=""), name="branch_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class User(AbstractUser):
    class Role(models.TextChoices):
        CLERK = "CLERK", "Clerk"
        SUPERVISOR = "SUPERVISOR", "Supervisor"
        AUDITOR = "AUDITOR", "Auditor"

    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="Empty only for admins and company-wide auditors.",
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLERK)

    class Meta:
        indexes = [models.Index(fields=["branch", "role"], name="user_branch_role_idx")]

    @property
    def is_clerk(self) -> bool:
        return self.role == self.Role.CLERK

    @property
    def is_supervisor(self) -> bool:
        return self.role == self.Role.SUPERVISOR

    @property
    def is_auditor(self) -> bool:
        return self.role == self.Role.AUDITOR

    @property
    def works_counter(self) -> bool:
        """Clerks and supervisors of a branch run the counter; auditors only read."""
        return self.branch_id is not None and self.role in (self.Role.CLERK, self.Role.SUPERVISOR)


class UserSession(models.Model):
    """Which sessions a user holds, so deactivating them can end every one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="session_records")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="usersession_user_idx")]

    def __str__(self) -> str:
        return f"session of user {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"
