"""What every form shares: text cleaned as ``nscal.inputs`` says, numbers and ids that
fit the database's INTEGER columns.

Forms derive from ``Form``: its text fields are cleaned before they are validated, so
a length limit counts what will be stored.
"""

from flask_babel import format_number, get_translations
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, ValidationError

from nscal.inputs import MAX_INTEGER, in_integer_range, multi_line, single_line

# WTForms' own words, so its catalogs translate it (``Field.gettext``).
NOT_A_CHOICE = "Not a valid choice."


def clean_single_line(value: str | None) -> str | None:
    """The form filter of one-line text fields (None, for no value, stays None)."""
    return None if value is None else single_line(value)


def clean_multi_line(value: str | None) -> str | None:
    """The form filter of text areas (None, for no value, stays None)."""
    return None if value is None else multi_line(value)


def _text_filter(field_class: type):
    """The cleaning a field of ``field_class`` gets; None for values kept as sent."""
    if issubclass(field_class, TextAreaField):
        return clean_multi_line
    # Passwords are hashed, never shown; hidden fields carry signed payloads.
    if issubclass(field_class, PasswordField | HiddenField):
        return None
    if issubclass(field_class, StringField):
        return clean_single_line
    return None


class CatalogTranslations:
    """WTForms' own messages from nscal's catalogs, in the page's language (Flask-WTF's
    would read WTForms' bundled ones, which have no Danish or Icelandic); the messages
    are marked in ``nscal.form_messages``."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


CATALOG_TRANSLATIONS = CatalogTranslations()


class TranslatedCSRF(_FlaskFormCSRF):
    """Flask-WTF's form CSRF check, its refusals in the page's language."""

    def validate_csrf_token(self, form, field):
        try:
            super().validate_csrf_token(form, field)
        except ValidationError as error:
            raise ValidationError(field.gettext(str(error.args[0]))) from error


class Form(FlaskForm):
    """A Flask-WTF form whose text fields are cleaned of control characters, and whose
    built-in messages speak the page's language."""

    class Meta:
        csrf_class = TranslatedCSRF

        def get_translations(self, form):
            return CATALOG_TRANSLATIONS

        def bind_field(self, form, unbound_field, options):
            cleaning = _text_filter(unbound_field.field_class)
            if cleaning is not None:
                filters = unbound_field.kwargs.get("filters") or ()
                options = {**options, "filters": (cleaning, *filters)}
            return super().bind_field(form, unbound_field, options)


class BoundedIntegerField(IntegerField):
    """A whole number from ``minimum`` to what an INTEGER column holds."""

    def __init__(self, label=None, validators=None, *, minimum: int = 0, **kwargs):
        bound = NumberRange(
            min=minimum,
            max=MAX_INTEGER,
            message=_l(
                "Enter a number from %(minimum)s to %(maximum)s.",
                minimum=LazyString(format_number, minimum),
                maximum=LazyString(format_number, MAX_INTEGER),
            ),
        )
        super().__init__(label, [*(validators or []), bound], **kwargs)


def record_id(value) -> int:
    """An id sent by a form, as an int; ``ValueError`` when no row could have it."""
    number = int(value)
    if not in_integer_range(number):
        raise ValueError(NOT_A_CHOICE)
    return number


class IdSelectField(SelectField):
    """A choice of a row by its id: an id no row could have is not a valid choice."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", record_id)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.gettext(NOT_A_CHOICE)) from None


class IdSelectMultipleField(SelectMultipleField):
    """Several rows chosen by their ids; an id no row could have is not a valid choice."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", record_id)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(self.gettext(NOT_A_CHOICE)) from None
