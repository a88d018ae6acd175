"""The event list's filter selects write what WTForms' own ``Select`` writes, byte for
byte (``PlainSelect`` only skips its per-option ``html_params``)."""

import pytest
from wtforms import Form, SelectChoice, SelectField
from wtforms.widgets import Select

from nscal.events.forms import PlainSelect

CHOICES = {
    "flat": [
        SelectChoice("", "All kinds"),
        SelectChoice("city-meeting", "City meeting"),
        SelectChoice("a&b", 'Quotes " and <tags> & ampersands'),
        SelectChoice("empty-label", ""),
    ],
    "grouped": [
        SelectChoice("", "All cities"),
        SelectChoice("aarhus", "Aarhus", optgroup="Danmark"),
        SelectChoice("odense", "Odense", optgroup="Danmark"),
        SelectChoice("malmo", "Malmö", optgroup='Sverige & "co"'),
        SelectChoice("oslo", "Oslo", optgroup="Norge"),
    ],
    "bools": [SelectChoice(True, "Yes"), SelectChoice(False, "No")],
    "with attributes": [
        SelectChoice("", "None"),
        SelectChoice("x", "X", render_kw={"disabled": True, "data-note": "n"}),
    ],
}


def _fields(choices, data):
    class Plain(Form):
        f = SelectField("Label", choices=choices, validate_choice=False, widget=PlainSelect())

    class Stock(Form):
        f = SelectField("Label", choices=choices, validate_choice=False, widget=Select())

    plain, stock = Plain(data={"f": data}), Stock(data={"f": data})
    return plain.f, stock.f


@pytest.mark.parametrize("name", CHOICES)
@pytest.mark.parametrize("data", [None, "", "odense", "a&b", "x", "True", "nothing"])
@pytest.mark.parametrize("attrs", [{}, {"aria-invalid": "true"}, {"aria-describedby": "f-help"}])
def test_the_plain_select_writes_the_stock_select_s_bytes(name, data, attrs):
    plain, stock = _fields(CHOICES[name], data)
    assert str(plain(**attrs)) == str(stock(**attrs))


def test_the_filter_form_renders_as_before(client):
    # The widget in place on the list page: the chosen kind is selected.
    page = client.get("/events/?kind=workshop").get_data(as_text=True)
    assert '<option selected value="workshop">' in page
