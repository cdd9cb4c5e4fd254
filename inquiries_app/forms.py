"""Forms of the inquiry screens: create, assign, status, resolve, reopen, notes, claims, queue filters."""

from decimal import Decimal

from django import forms

from branch_courier.accounts.models import User
from inquiries_app.lifecycle import Status
from inquiries_app.models import Category, Channel, Priority, ResolutionCode
from inquiries_app.selectors import QUEUES
from packages_app.forms import MAX_MONEY, clean_phone


class InquiryForm(forms.Form):
    tracking_number = forms.CharField(
        label="Tracking number",
        max_length=40,
        required=False,
        help_text="Scan or type it when the inquiry is about a parcel (needed for a claim).",
    )
    customer_name = forms.CharField(label="Customer name", max_length=120)
    customer_phone = forms.CharField(label="Customer phone", max_length=32, required=False)
    customer_email = forms.EmailField(label="Customer email", required=False)
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices, initial=Channel.COUNTER)
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices, initial=Priority.NORMAL)
    description = forms.CharField(
        label="What the customer says", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    claim_amount = forms.DecimalField(
        label="Amount claimed",
        max_digits=10,
        decimal_places=2,
        required=False,
        max_value=MAX_MONEY,
        help_text="Damaged or lost parcels only; at most the parcel's declared value.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_phone"].widget.input_type = "tel"
        self.fields["tracking_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_customer_phone(self):
        value = self.cleaned_data["customer_phone"]
        return clean_phone(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("customer_phone")
            and not cleaned.get("customer_email")
            and not self.has_error("customer_phone")
        ):
            self.add_error("customer_phone", "Give a phone number or an email so we can answer.")
        return cleaned


class _OnDetailPage(forms.Form):
    """Several of these forms share the inquiry page: give each its own element ids."""

    id_prefix = "f"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class AssignForm(_OnDetailPage):
    id_prefix = "assign"

    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Assign to",
        error_messages={"invalid_choice": "Choose a clerk or supervisor of this branch."},
    )

    def __init__(self, *args, branch_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            branch_id=branch_id, is_active=True, role__in=[User.Role.CLERK, User.Role.SUPERVISOR]
        ).order_by("username")
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username


class StatusForm(_OnDetailPage):
    id_prefix = "status"
    to_status = forms.ChoiceField(choices=Status.choices)


class ResolveForm(_OnDetailPage):
    id_prefix = "resolve"
    resolution_code = forms.ChoiceField(
        label="Resolution", choices=[("", "—")] + ResolutionCode.choices, required=True
    )
    summary = forms.CharField(
        label="Summary", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), required=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution_code"].error_messages["required"] = "Choose a resolution code."
        self.fields["summary"].error_messages["required"] = "Write a short summary of the resolution."


class ReopenForm(_OnDetailPage):
    id_prefix = "reopen"
    reason = forms.CharField(label="Why reopen", max_length=500)


class NoteForm(_OnDetailPage):
    id_prefix = "note"
    body = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    shared = forms.BooleanField(
        label="Shared with the customer", required=False, help_text="Tick when this is what we told them."
    )


class ClaimForm(_OnDetailPage):
    id_prefix = "claim"
    claim_amount = forms.DecimalField(
        label="Amount claimed",
        max_digits=10,
        decimal_places=2,
        max_value=MAX_MONEY,
        min_value=Decimal("0.01"),
    )


class ClaimDecisionForm(_OnDetailPage):
    id_prefix = "decision"
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    approved_amount = forms.DecimalField(
        label="Amount approved",
        max_digits=10,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.01"),
        help_text="Leave empty to approve the whole claim.",
    )
    reason = forms.CharField(label="Reason", max_length=500)


class QueueFilterForm(forms.Form):
    queue = forms.ChoiceField(choices=list(QUEUES.items()), required=False, initial="open")
    q = forms.CharField(
        required=False,
        max_length=60,
        label="Search",
        help_text="Reference, tracking number, customer name, phone or email.",
    )
    status = forms.ChoiceField(choices=[("", "Any status")] + Status.choices, required=False)
    category = forms.ChoiceField(choices=[("", "Any category")] + Category.choices, required=False)
    priority = forms.ChoiceField(choices=[("", "Any priority")] + Priority.choices, required=False)

    def filters(self) -> dict:
        """The valid filters only; an invalid one is reported next to its field and ignored."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "name": data.get("queue") or "open",
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "category": data.get("category") or "",
            "priority": data.get("priority") or "",
        }
