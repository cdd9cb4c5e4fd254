"""Hostile values for each kind of Django form field, and a valid-with-some-fields-broken POST body."""

import string
from decimal import Decimal

from django import forms
from hypothesis import strategies as st

NASTY_TEXT = [
    "",
    " ",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE packages; --",
    "Robert'); DELETE FROM customer_inquiries; --",
    "%s%s%s%n",
    "{{ 7*7 }}{% debug %}",
    "../../../../etc/passwd",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "Zoë Ångström 🚚📦 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\ud7ff\ufffd\uffff",
    "x" * 5000,
    "٣٤٥",
    "NaN",
    "-1",
    "1e309",
]
NASTY_NUMBERS = [
    "",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1e400",
    "-0",
    "1.5",
    "0x10",
    "abc",
    "9" * 400,
    "٣",
]
NASTY_DATES = [
    "",
    "2024-02-30",
    "2024-13-01",
    "0000-01-01",
    "9999-12-31",
    "31/12/2024",
    "yesterday",
    "2024-1-1T",
]
NASTY_CHOICES = ["", "NOPE", "0", "-1", "99999999999999999999", "1 OR 1=1", "on", "\x00"]


def text(max_size=60):
    return st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.text(max_size=max_size),
        st.text(alphabet=string.printable, max_size=max_size),
    )


def tracking_numbers(valid: list[str]):
    """Real numbers, the same with a wrong check digit, mangled spacing/case, and junk."""

    def wrong_check_digit(number):
        digit = int(number[10])
        return number[:10] + str((digit + 1) % 10) + number[11:]

    real = st.sampled_from(valid) if valid else st.nothing()
    return st.one_of(
        real,
        real.map(wrong_check_digit),
        real.map(lambda n: f"  {n[:5].lower()} {n[5:]} "),
        real.map(lambda n: n[:-2] + "ZZ"),
        st.from_regex(r"\A[A-Z]{2}[0-9]{9}[A-Z]{2}\Z"),
        text(max_size=40),
    )


def for_field(field: forms.Field, *, name: str, tracking: list[str]):
    """A strategy of hostile (and sometimes valid) raw POST values for one form field."""
    if "tracking" in name or name == "code":
        return tracking_numbers(tracking)
    if isinstance(field, forms.ModelChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:20]]
        return st.one_of(st.sampled_from(pks) if pks else st.nothing(), st.sampled_from(NASTY_CHOICES))
    if isinstance(field, forms.ChoiceField):
        valid = [str(value) for value, _ in field.choices]
        return st.one_of(st.sampled_from(valid), st.sampled_from(NASTY_CHOICES), text(max_size=20))
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "0", "1", "\x00"])
    if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField):
        return st.one_of(
            st.integers(min_value=-(10**30), max_value=10**30).map(str), st.sampled_from(NASTY_NUMBERS)
        )
    if isinstance(field, (forms.DecimalField, forms.FloatField)):
        return st.one_of(
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=3).map(str),
            st.sampled_from(NASTY_NUMBERS),
        )
    if isinstance(field, forms.DateField):
        return st.one_of(st.dates().map(lambda d: d.isoformat()), st.sampled_from(NASTY_DATES))
    if isinstance(field, forms.EmailField):
        return st.one_of(st.emails().map(str), text(max_size=80), st.just("a@b" + "c" * 300 + ".com"))
    return text(max_size=(field.max_length or 200) + 10)


MISSING = object()


def post_bodies(form: forms.Form | None, *, valid: dict, tracking: list[str]):
    """A valid body with any subset of fields broken or left out, plus a few extra fields.

    An empty subset is the fully valid body, so accepted POSTs are fuzzed too (and shrinking
    heads for them). Fields not in the form (e.g. assign's "take") are fuzzed as text.
    """
    fields = dict(form.fields) if form is not None else {}
    names = sorted(set(fields) | set(valid))
    per_field = {
        name: st.one_of(
            st.just(MISSING),
            for_field(fields[name], name=name, tracking=tracking) if name in fields else text(max_size=20),
        )
        for name in names
    }
    broken = st.sets(st.sampled_from(names)) if names else st.just(set())
    extra = st.dictionaries(
        st.sampled_from(["take", "next", "id", "branch", "status", "actor", "created_by", "x" * 300]),
        text(max_size=20),
        max_size=2,
    )

    @st.composite
    def body(draw):
        data = dict(valid)
        for name in sorted(draw(broken)):
            value = draw(per_field[name])
            if value is MISSING:
                data.pop(name, None)
            else:
                data[name] = value
        for key, value in draw(extra).items():
            data.setdefault(key, value)
        return data

    return body()


LONG = "x" * 5000


def hostile_corpus(form: forms.Form | None, *, valid: dict) -> list[dict]:
    """Fixed bodies tried on every run before the random ones: each hostile value in every field at
    once, and the valid body with one field 5,000 characters long (what random draws rarely hit)."""
    names = sorted(set(form.fields if form is not None else ()) | set(valid))
    if not names:
        return []
    values = [*NASTY_TEXT, "NaN", "1e400", "9" * 400, "2024-02-30"]
    bodies = [dict.fromkeys(names, value) for value in dict.fromkeys(values)]
    bodies += [{**valid, name: LONG} for name in names]
    return bodies
