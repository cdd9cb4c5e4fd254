"""Login form with labels and autocomplete hints for password managers."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        # AuthenticationForm sets max_length after the field is built, so nothing enforces it: an
        # over-long name reached authenticate() and django-axes' 255-character username column
        # (a DataError, i.e. a 500, on PostgreSQL). Refuse it as a form error instead.
        username.validators.append(MaxLengthValidator(username.max_length))
        username.widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
