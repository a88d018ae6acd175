"""WTForms' and Flask-WTF's own messages, in nscal's catalogs.

The validators and fields nscal uses write their messages in English ("This field is
required.", "Not a valid integer value."); WTForms asks the form's translations for
each (``Form.Meta.get_translations`` in ``nscal.formfields`` answers from our catalogs,
in the page's language). They are marked here, word for word as the installed WTForms
and Flask-WTF write them, so that ``pybabel extract`` finds them; nothing imports them
at run time but the catalog test.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

# wtforms/validators.py: Length, NumberRange, DataRequired/InputRequired, Email,
# EqualTo, URL, Regexp.
LENGTH = (
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
)
NUMBER_RANGE = (
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
)
VALIDATORS = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
)
# wtforms/fields: choices, dates and times, numbers.
FIELDS = (
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)
# flask_wtf/file.py: FileRequired (the message above), FileAllowed.
FILES = (
    _l("File does not have an approved extension: {extensions}"),
    _l("File does not have an approved extension."),
)
# flask_wtf/csrf.py: raised untranslated; nscal.formfields translates them for a form.
CSRF = (
    _l("The CSRF token is missing."),
    _l("The CSRF session token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
    _l("The CSRF tokens do not match."),
)
