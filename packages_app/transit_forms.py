"""Forms of the transit and counter-money screens: manifests, handover, drawer, intake payment."""

import uuid
from decimal import Decimal

from django import forms

from packages_app import open_branches
from packages_app.forms import MAX_MONEY, BranchChoiceField
from packages_app.models import Handover, Payment


class ManifestOpenForm(forms.Form):
    destination_branch = BranchChoiceField(label="To branch", queryset=open_branches.open_branches())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["destination_branch"].queryset = self.fields["destination_branch"].queryset.exclude(
                pk=user.branch_id
            )


class CodeScanForm(forms.Form):
    code = forms.CharField(max_length=64, label="Scan or type a number")

    def __init__(self, *args, label="", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label
        self.fields["code"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "off", "data-autofocus-scan": True, "spellcheck": "false"}
        )


class LostForm(forms.Form):
    note = forms.CharField(max_length=500, required=False, label="Note")


def _money(value, *, allow_zero=True):
    if value is None:
        return value
    if value < 0 or (value == 0 and not allow_zero):
        raise forms.ValidationError("Enter an amount of 0 or more." if allow_zero else "Enter more than 0.")
    if value > MAX_MONEY:
        raise forms.ValidationError(f"At most {MAX_MONEY:,.2f}.")
    return value


class PaymentFields(forms.Form):
    """Cash or card; the card option exists only when the payment gateway is configured."""

    payment_method = forms.ChoiceField(
        label="Payment",
        choices=Payment.Method.choices,
        initial=Payment.Method.CASH,
        required=False,  # cash unless the clerk picks card
        widget=forms.RadioSelect,
    )
    card_token = forms.CharField(
        label="Card token", required=False, max_length=120, help_text="Filled in by the card terminal."
    )
    # One key per attempt: a resubmission after a timeout reuses it, so the card is charged once.
    payment_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, card_enabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.card_enabled = card_enabled
        if not card_enabled:
            self.fields["payment_method"].choices = [(Payment.Method.CASH, "Cash")]
            del self.fields["card_token"]
        if not self.is_bound:
            self.initial.setdefault("payment_key", uuid.uuid4().hex)

    def clean(self):
        cleaned = super().clean()
        cleaned["payment_method"] = cleaned.get("payment_method") or Payment.Method.CASH
        if cleaned.get("payment_method") == Payment.Method.CARD and not cleaned.get("card_token"):
            self.add_error("card_token", "Swipe or tap the card (no card token yet).")
        if not cleaned.get("payment_key"):
            cleaned["payment_key"] = uuid.uuid4().hex
        return cleaned

    def payment_input(self):
        from packages_app.drawer import PaymentInput

        data = self.cleaned_data
        return PaymentInput(
            method=data["payment_method"],
            card_token=data.get("card_token", ""),
            idempotency_key=data["payment_key"],
        )


class HandoverForm(PaymentFields):
    collector_name = forms.CharField(label="Collected by (name)", max_length=120)
    id_type = forms.ChoiceField(label="ID type", choices=Handover.IdType.choices)
    id_last4 = forms.CharField(
        label="Last 4 characters of the ID number",
        # The browser stops at 4 (maxlength); a longer paste is refused by clean_id_last4 with a
        # message that says why, and is never stored or logged.
        max_length=64,
        help_text="Only the last 4 — never type the whole number.",
    )

    field_order = ["collector_name", "id_type", "id_last4", "payment_method", "card_token"]

    def __init__(self, *args, cod=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector_name"].widget.attrs["autofocus"] = True
        self.fields["id_last4"].widget.attrs.update({"autocomplete": "off", "size": 4, "maxlength": 4})
        self.cod = cod
        if not cod:
            for name in ("payment_method", "card_token"):
                self.fields.pop(name, None)

    def clean_id_last4(self):
        value = "".join(self.cleaned_data["id_last4"].split())
        if len(value) > 4:
            raise forms.ValidationError("Type only the last 4 characters of the ID number, not all of it.")
        if not value.isalnum():
            raise forms.ValidationError("Letters and digits only.")
        return value.upper()


class HandoverSearchForm(forms.Form):
    q = forms.CharField(label="Tracking number or recipient's phone", max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"autofocus": True, "data-autofocus-scan": True})


class DrawerOpenForm(forms.Form):
    opening_float = forms.DecimalField(
        label="Float (cash in the drawer now)", max_digits=10, decimal_places=2
    )

    def clean_opening_float(self):
        return _money(self.cleaned_data["opening_float"])


class DrawerCloseForm(forms.Form):
    counted_cash = forms.DecimalField(label="Counted cash", max_digits=10, decimal_places=2)

    def clean_counted_cash(self):
        return _money(self.cleaned_data["counted_cash"])


class ReportForm(forms.Form):
    day = forms.DateField(label="Day", required=False, widget=forms.DateInput(attrs={"type": "date"}))


ZERO = Decimal("0.00")
