from django import forms

from packages_app import s10


class TrackForm(forms.Form):
    number = forms.CharField(
        label="Tracking number",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "placeholder": "RB123456785US"}
        ),
    )

    def clean_number(self):
        try:
            return s10.validate(self.cleaned_data["number"])
        except s10.TrackingNumberError as exc:
            raise forms.ValidationError(_public_message(exc)) from None


def _public_message(exc: s10.TrackingNumberError) -> str:
    if exc.wrong_check_digit:
        return (
            f"{exc.value} is not a valid tracking number: one character looks mistyped "
            "(the check digit does not match). Compare it with your receipt or label."
        )
    return str(exc)


def tracking_error(raw: str) -> str | None:
    """The customer-facing reason a number is not valid, or None if it is."""
    try:
        s10.validate(raw)
    except s10.TrackingNumberError as exc:
        return _public_message(exc)
    return None
