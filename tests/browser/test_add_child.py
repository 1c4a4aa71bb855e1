"""A school administrator adds a child through every step; axe-core on each page."""

from __future__ import annotations

import pytest
import time_machine

from tests.browser.conftest import check_accessible
from tests.conftest import PASSWORD, code_for, make_user

pytestmark = pytest.mark.browser


def _sign_in(page, base, email, secret):
    page.goto(base + "/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Continue')")
    page.fill("#code", code_for(secret))
    page.click("button:has-text('Sign in')")


def _date(page, name, day, month, year):
    page.fill(f"#{name}-day", day)
    page.fill(f"#{name}-month", month)
    page.fill(f"#{name}-year", year)


def _add_child(page, base):
    page.goto(base + "/children/")
    page.click("button:has-text('Add a child')")
    page.fill("#given_names", "Amelia")
    page.fill("#family_name", "O'Neill")
    page.check("input[name=gender][value=female]")
    _date(page, "date_of_birth", "14", "2", "2016")
    page.fill("#address_line1", "12 Orchard Way")
    page.fill("#town", "Bristol")
    page.fill("#postcode", "bs1 4dj")
    page.click("button:has-text('Continue')")


def test_add_a_child_with_carers_services_and_consent(live_app, live_server, page):
    _, email, secret = make_user(live_app, role="data_entry", email="sam@hilltop.example")
    with time_machine.travel("2026-03-02 09:00:05 +0000", tick=True) as traveller:
        _sign_in(page, live_server, email, secret)
        page.goto(live_server + "/children/")
        check_accessible(page, "20-children")
        page.click("button:has-text('Add a child')")
        check_accessible(page, "21-details")
        _date(page, "date_of_birth", "31", "2", "2016")
        page.click("button:has-text('Continue')")
        assert "must be a real date" in page.inner_text(".govuk-error-summary")
        check_accessible(page, "22-details-errors")
        page.fill("#given_names", "Amelia")
        page.fill("#family_name", "O'Neill")
        page.check("input[name=gender][value=female]")
        _date(page, "date_of_birth", "14", "2", "2016")
        page.fill("#postcode", "bs1 4dj")
        page.click("button:has-text('Continue')")

        check_accessible(page, "23-identifiers")
        page.fill("#nhs", "943 476 5918")
        page.locator("#nhs").blur()
        page.wait_for_selector("#nhs.govuk-input--error")
        assert "This NHS number is not valid: check the last digit" in page.inner_text(
            "#nhs-wrap .govuk-error-message")
        assert "nhs-error" in page.get_attribute("#nhs", "aria-describedby")
        assert page.input_value("#nhs") == "943 476 5918"
        check_accessible(page, "24-identifiers-live-error")
        page.fill("#nhs", "943 476 5919")
        page.locator("#nhs").blur()
        page.wait_for_selector("#nhs:not(.govuk-input--error)")
        page.fill("#upn", "B801200005001")
        page.click("button:has-text('Continue')")

        for name, relationship in (("Sarah O'Neill", "Mother"), ("Liam O'Neill", "Father"),
                                   ("Wrong Person", "Aunt")):
            page.fill("#name", name)
            page.fill("#relationship", relationship)
            page.check("input[name=parental_responsibility][value=yes]")
            page.fill("#phone", "07700 900 982")
            page.click("button:has-text('Add this parent or carer')")
        check_accessible(page, "25-carers")
        # "Remove" is a link-blue toggle on white (not the header's white) that asks first
        remove = page.locator("main summary:has-text('Remove Wrong Person')")
        assert remove.evaluate("e => getComputedStyle(e).color") == "rgb(29, 112, 184)"
        confirm = page.locator("main button:has-text('Yes, remove Wrong Person')")
        assert not confirm.is_visible()
        remove.click()
        check_accessible(page, "25a-carers-remove")
        confirm.click()
        assert "Wrong Person" not in page.inner_text("main")
        assert "Liam O'Neill" in page.inner_text("main")
        sign_out = page.locator("header button:has-text('Sign out')")
        assert sign_out.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
        page.click("a:has-text('Continue')")

        services = [("gp_practice", "Riverside Surgery"), ("education_setting", "Hilltop School")]
        for kind, name in services:
            page.select_option("#service_type", kind)
            page.fill("#service_name", name)
            page.click("button:has-text('Add this service')")
        page.select_option("#service_type", "mental_health")
        page.fill("#service_name", "Bristol CAMHS")
        page.click("button:has-text('Add this service')")
        assert "sensitive service is recorded only with consent" in page.inner_text(
            ".govuk-error-summary")
        check_accessible(page, "26-services-consent-error")
        page.fill("#consent_given_by", "Sarah O'Neill")
        page.fill("#consent_relationship", "Mother")
        _date(page, "consent_date", "1", "2", "2026")
        page.click("button:has-text('Add this service')")
        page.click("a:has-text('Continue')")

        check_accessible(page, "27-check")
        assert "Bristol CAMHS" in page.inner_text("main")
        page.click("button:has-text('Save the record')")
        assert "Amelia O'Neill's record has been saved" in page.inner_text("main")
        check_accessible(page, "28-saved")

        page.click("a:has-text(\"Amelia O'Neill\")")
        check_accessible(page, "29-reason")
        page.check("input[name=category][value=updating_record]")
        page.click("button:has-text('Continue')")
        assert page.inner_text("h1") == "Amelia O'Neill"
        assert "943 476 5919" in page.inner_text("main")
        check_accessible(page, "30-record")

        # The same child again, with a misspelt name: the duplicate warning.
        traveller.shift(60)
        _add_child(page, live_server)
        page.click("button:has-text('Continue')")
        page.click("a:has-text('Skip:')")
        page.click("a:has-text('Skip:')")
        page.click("button:has-text('Save the record')")
        assert "may already have a record" in page.inner_text("h1")
        check_accessible(page, "31-matches")
