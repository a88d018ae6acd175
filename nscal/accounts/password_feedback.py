"""zxcvbn's advice on a weak password, in the reader's language.

zxcvbn words its warnings and suggestions in English (through the standard library's
gettext, which nscal does not feed). They are listed here so that the catalogs carry
them, and looked up in nscal's catalog when a person reads them.
"""

from flask_babel import gettext


def N_(text: str) -> str:
    """Marks ``text`` for the catalogs; it is translated where it is shown."""
    return text


# Every text of zxcvbn 4.5's feedback (zxcvbn/feedback.py), word for word.
ZXCVBN_TEXTS = (
    N_("Use a few words, avoid common phrases."),
    N_("No need for symbols, digits, or uppercase letters."),
    N_("Add another word or two. Uncommon words are better."),
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_("Use a longer keyboard pattern with more turns."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("Avoid repeated words and characters."),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Avoid sequences."),
    N_("Recent years are easy to guess."),
    N_("Avoid recent years."),
    N_("Avoid years that are associated with you."),
    N_("Dates are often easy to guess."),
    N_("Avoid dates and years that are associated with you."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
    N_("Capitalization doesn't help very much."),
    N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
)


def translated_feedback(text: str) -> str:
    """One of zxcvbn's texts in the reader's language (unknown texts as they are)."""
    # gettext formats with %, which a text without variables never meets.
    return gettext(text) if text in ZXCVBN_TEXTS else text
