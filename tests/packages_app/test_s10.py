"""S10 tracking numbers: check digits, normalising scanned input, numbering from the sequence."""

import pytest

from packages_app import s10


@pytest.mark.parametrize(
    ("serial", "digit"),
    # 12345678 is the UPU example; 00000008 has C = 10 -> 0; 00000000 has C = 11 -> 5.
    [("12345678", 5), ("47312482", 9), ("00000008", 0), ("00000000", 5), ("00000001", 4)],
)
def test_check_digit_of_known_serials(serial, digit):
    assert s10.check_digit(serial) == digit


def test_upu_example_is_valid():
    assert s10.validate("RB123456785GB") == "RB123456785GB"


def test_wrong_check_digit_is_refused_with_a_message_that_says_so():
    with pytest.raises(s10.TrackingNumberError) as err:
        s10.validate("RB123456786GB")
    assert err.value.wrong_check_digit
    assert "wrong check digit" in str(err.value)
    assert "RB123456786GB" in str(err.value)


def test_scanned_input_is_trimmed_upper_cased_and_spaces_dropped():
    assert s10.validate("  rb 1234 5678 5 gb\n") == "RB123456785GB"


@pytest.mark.parametrize(
    "raw", ["", "   ", "RB12345678GB", "1B123456785GB", "RB123456785G", "RB12345678X5GB"]
)
def test_malformed_input_is_not_a_tracking_number(raw):
    with pytest.raises(s10.TrackingNumberError) as err:
        s10.validate(raw)
    assert not err.value.wrong_check_digit


def test_build_uses_configured_letters_and_country(settings):
    settings.S10_SERVICE_LETTERS = "CX"
    settings.S10_COUNTRY = "DE"
    number = s10.build(12345678)
    assert number == "CX123456785DE"
    assert s10.is_valid(number)


def test_every_check_digit_rule_round_trips():
    # Serials whose raw C is 10 and 11 exercise the two special rules.
    seen = set()
    for serial in range(1, 400):
        number = s10.build(serial, service="RB", country="US")
        assert s10.is_valid(number)
        seen.add(number[10])
    assert {"0", "5"} <= seen


def test_build_refuses_out_of_range_serials():
    with pytest.raises(ValueError, match="out of range"):
        s10.build(100_000_000)


@pytest.mark.django_db
def test_serials_come_from_the_database_and_are_never_reused():
    first = s10.allocate_serials(3)
    second = s10.allocate_serials(2)
    assert len(set(first + second)) == 5
    assert min(second) > max(first)
    assert s10.is_valid(s10.next_tracking_number())


@pytest.mark.parametrize(("name", "value"), [("S10_SERVICE_LETTERS", "R"), ("S10_COUNTRY", "U5")])
def test_bad_s10_settings_fail_the_system_check(settings, name, value):
    from packages_app.checks import s10_settings

    setattr(settings, name, value)
    errors = s10_settings(None)
    assert [e.id for e in errors] == ["packages_app.E001"] and name in errors[0].msg
