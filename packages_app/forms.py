"""Forms of the counter screens: intake, status actions, list filters, the scan station."""

import re
from decimal import Decimal

from django import forms
from django.forms.models import ModelChoiceIterator

from packages_app import open_branches
from packages_app.lifecycle import Status
from packages_app.models import ReasonCode, Service

MAX_WEIGHT_GRAMS = 70_000  # nothing heavier goes over a counter; the tariff may stop earlier
MAX_SIDE_CM = 300
MAX_MONEY = Decimal("100000.00")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{5,30}$")


def clean_phone(value: str) -> str:
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 7 <= len(digits) <= 15:
        raise forms.ValidationError("Enter a phone number of 7 to 15 digits, e.g. +1 617 555 0100.")
    return value


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices read in one plain query, once per form.

    Django's iterator counts the rows first (COUNT) when the widget asks for the length, then
    reads them through a server-side cursor (DECLARE … WITH HOLD, FETCH, CLOSE): four round trips
    for the fifty branches a select lists, on every package page and intake form.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self._rows()) + (1 if self.field.empty_label is not None else 0)

    def _rows(self) -> list:
        if not hasattr(self, "_listed"):
            self._listed = list(self.queryset)
        return self._listed


class BranchChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator
    default_error_messages = {
        "invalid_choice": "Choose an open branch from the list; that one is unknown or closed.",
    }

    def label_from_instance(self, obj):
        return open_branches.label(obj)


class IntakeForm(forms.Form):
    sender_name = forms.CharField(label="Sender name", max_length=120)
    sender_phone = forms.CharField(label="Sender phone", max_length=32)
    sender_email = forms.EmailField(label="Sender email", required=False)
    sender_address = forms.CharField(label="Sender address", widget=forms.Textarea(attrs={"rows": 2}))
    recipient_name = forms.CharField(label="Recipient name", max_length=120)
    recipient_phone = forms.CharField(label="Recipient phone", max_length=32)
    recipient_email = forms.EmailField(label="Recipient email", required=False)
    recipient_address = forms.CharField(label="Recipient address", widget=forms.Textarea(attrs={"rows": 2}))
    destination_branch = BranchChoiceField(label="Destination branch", queryset=open_branches.open_branches())
    service = forms.ChoiceField(label="Service", choices=Service.choices, initial=Service.STANDARD)
    weight_grams = forms.IntegerField(
        label="Weight (g)",
        error_messages={"invalid": "Enter the weight in whole grams, e.g. 1250."},
    )
    length_cm = forms.IntegerField(label="Length (cm)", required=False)
    width_cm = forms.IntegerField(label="Width (cm)", required=False)
    height_cm = forms.IntegerField(label="Height (cm)", required=False)
    declared_value = forms.DecimalField(
        label="Declared value", max_digits=10, decimal_places=2, required=False, initial=Decimal("0.00")
    )
    cod_amount = forms.DecimalField(
        label="Cash on delivery",
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="Leave empty when the recipient pays nothing.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender_name"].widget.attrs["autofocus"] = True
        for name in ("sender_phone", "recipient_phone"):
            self.fields[name].widget.input_type = "tel"
        self.fields["weight_grams"].widget.attrs.update(
            {"min": 1, "max": MAX_WEIGHT_GRAMS, "inputmode": "numeric"}
        )

    def clean_sender_phone(self):
        return clean_phone(self.cleaned_data["sender_phone"])

    def clean_recipient_phone(self):
        return clean_phone(self.cleaned_data["recipient_phone"])

    def clean_weight_grams(self):
        grams = self.cleaned_data["weight_grams"]
        if grams <= 0:
            raise forms.ValidationError("Weight must be more than 0 g.")
        if grams > MAX_WEIGHT_GRAMS:
            raise forms.ValidationError(
                f"{grams:,} g is more than the counter accepts "
                f"({MAX_WEIGHT_GRAMS // 1000} kg); check the scale."
            )
        return grams

    def _clean_side(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not 1 <= value <= MAX_SIDE_CM:
            raise forms.ValidationError(f"Enter 1 to {MAX_SIDE_CM} cm.")
        return value

    def clean_length_cm(self):
        return self._clean_side("length_cm")

    def clean_width_cm(self):
        return self._clean_side("width_cm")

    def clean_height_cm(self):
        return self._clean_side("height_cm")

    def _clean_money(self, name, *, allow_zero):
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        if value < 0 or (value == 0 and not allow_zero):
            raise forms.ValidationError(
                "Enter an amount greater than 0." if not allow_zero else "Cannot be negative."
            )
        if value > MAX_MONEY:
            raise forms.ValidationError(f"At most {MAX_MONEY:,.2f}.")
        return value

    def clean_declared_value(self):
        return self._clean_money("declared_value", allow_zero=True) or Decimal("0.00")

    def clean_cod_amount(self):
        return self._clean_money("cod_amount", allow_zero=False)

    def clean(self):
        cleaned = super().clean()
        sides = [cleaned.get(n) for n in ("length_cm", "width_cm", "height_cm")]
        if any(s is not None for s in sides) and not all(s is not None for s in sides):
            self.add_error("length_cm", "Give all three dimensions or none.")
        return cleaned


class TransitionForm(forms.Form):
    """One action button on the package page (the button's value is the target status)."""

    to_status = forms.ChoiceField(choices=Status.choices)
    reason_code = forms.ChoiceField(choices=[("", "—")] + ReasonCode.choices, required=False, label="Reason")
    note = forms.CharField(max_length=500, required=False, label="Note")
    hold_until = forms.DateField(
        required=False, label="Hold until", widget=forms.DateInput(attrs={"type": "date"})
    )
    to_branch = BranchChoiceField(queryset=open_branches.open_branches(), required=False, label="Send to")


class ListFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        label="Search",
        help_text="A tracking or phone number finds it in any direction; a name searches this list.",
    )
    status = forms.ChoiceField(choices=[("", "Any status")] + Status.choices, required=False)
    direction = forms.ChoiceField(
        choices=[("here", "At this branch"), ("incoming", "Incoming"), ("sent", "Taken in here")],
        required=False,
        initial="here",
    )
    created_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    waiting = forms.BooleanField(required=False, label="Waiting too long")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict:
        """The valid filters only; an invalid one is reported next to its field and ignored."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "direction": data.get("direction") or "here",
            "created_from": data.get("created_from"),
            "created_to": data.get("created_to"),
            "waiting": bool(data.get("waiting")),
        }


class ScanForm(forms.Form):
    ACTIONS = [
        ("check_in", "Check in at this branch"),
        ("hold", "Put on hold"),
        ("lookup", "Look up"),
    ]
    action = forms.ChoiceField(choices=ACTIONS, initial="check_in", label="Action")
    reason_code = forms.ChoiceField(
        choices=[("", "—")] + ReasonCode.choices, required=False, label="Hold reason"
    )
    code = forms.CharField(max_length=64, label="Scan or type a tracking number", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "off", "data-autofocus-scan": True, "spellcheck": "false"}
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "hold" and not cleaned.get("reason_code"):
            self.add_error("reason_code", "Choose the hold reason once before scanning.")
        return cleaned
