"""The events' forms: the public list's filters, and the coordinators' event form,
cancelling and publishing.

Times are entered as wall-clock values in the event's own zone, with HTML date and
time inputs. For all-day events the form asks for the *last* day (inclusive), as
people think of it; ``EventData`` wants the exclusive end, as iCalendar does.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import groupby
from operator import attrgetter

import sqlalchemy as sa
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
    widgets,
)
from wtforms.fields.choices import Choice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import Select, html_params

from nscal.cities.models import City, ParticipantRole, active_cities, all_roles, role_label
from nscal.db import db
from nscal.events.models import (
    TRANSLATED_LANGUAGES,
    Event,
    EventFormat,
    EventKind,
    EventText,
    Visibility,
)
from nscal.events.repeat_rules import (
    RepeatRuleError,
    check_rule,
    normalize_rule,
    preset_rule,
    rule_has_end,
    split_until,
    with_until,
)
from nscal.events.services import EventData, EventError
from nscal.formfields import Form, IdSelectField, IdSelectMultipleField
from nscal.i18n import LANGUAGE_NAMES, country_name
from nscal.timeutil import (
    FIRST_YEAR,
    LAST_YEAR,
    is_valid_zone,
    year_in_range,
    zone_choice_label,
    zone_choices,
    zone_group_label,
)

DEFAULT_ZONE = "Europe/Copenhagen"
MAX_CAPACITY = 1_000_000
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the input has a step

# --- repeat rules ----------------------------------------------------------------------

REPEAT_CHOICES = [
    SelectChoice("", _l("Does not repeat")),
    SelectChoice("weekly", _l("Every week, on the same weekday")),
    SelectChoice("biweekly", _l("Every 2 weeks, on the same weekday")),
    SelectChoice("monthly-weekday", _l("Monthly on the same weekday (e.g. the first Wednesday)")),
    SelectChoice("monthly-date", _l("Monthly on the same date (e.g. the 13th)")),
    SelectChoice("custom", _l("Custom rule (type it below)")),
]
# The form words some refusals of a typed rule its own way, pointing at its other fields;
# the others it shows as the rules module words them.
RULE_PROBLEMS = {
    "syntax": _l(
        "Write the rule as in iCalendar, e.g. FREQ=MONTHLY;BYDAY=1WE "
        "(monthly on the first Wednesday)."
    ),
    "frequency": _l("A series repeats daily, weekly, monthly or yearly."),
    "interval": _l("INTERVAL must be a whole number, 1 or more."),
    "time_of_day": _l(
        "Every occurrence starts at the time given above: "
        "leave BYHOUR, BYMINUTE and BYSECOND out of the rule."
    ),
}
# "At most 1,000,000 places.", the number written the reader's way.
AT_MOST_PLACES = LazyString(lambda: _("At most %(num)s places.", num=format_number(MAX_CAPACITY)))


# --- the event form --------------------------------------------------------------------


class MultiCheckboxField(IdSelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EventForm(Form):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the event a title.")), Length(max=200)]
    )
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind.value, kind.lazy_label) for kind in EventKind]
    )
    description = TextAreaField(_l("Description"), render_kw={"rows": 6})
    format = SelectField(
        _l("Format"), choices=[SelectChoice(fmt.value, fmt.lazy_label) for fmt in EventFormat]
    )
    host_city = IdSelectField(_l("Host city"), validate_choice=False)
    venue = StringField(
        _l("Venue"),
        validators=[Length(max=300)],
        description=_l("Address or room, for people who come."),
    )
    online_url = URLField(
        _l("Online link"),
        validators=[Length(max=500)],
        description=_l(
            "Private: shown only to confirmed participants and coordinators, never in "
            "the description, feeds or API. Put join links here, not in the description."
        ),
    )
    timezone = SelectField(
        _l("Time zone"),
        validate_choice=False,
        description=_l("The times below are wall-clock times in this zone."),
    )
    all_day = BooleanField(_l("All day (no start and end times)"))
    start_date = DateField(_l("First day"), validators=[Optional()])
    start_time = TimeField(_l("Start time"), format=TIME_FORMATS, validators=[Optional()])
    end_date = DateField(
        _l("Last day"),
        validators=[Optional()],
        description=_l("Leave empty when the event ends on its first day."),
    )
    end_time = TimeField(_l("End time"), format=TIME_FORMATS, validators=[Optional()])
    audience = MultiCheckboxField(_l("Audience"), validate_choice=False)
    visibility = RadioField(
        _l("Visibility"),
        choices=[SelectChoice(v.value, v.lazy_label) for v in Visibility],
        default=Visibility.public.value,
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("The capacity cannot be negative.")),
            NumberRange(max=MAX_CAPACITY, message=AT_MOST_PLACES),
        ],
        description=_l("Leave empty for no limit."),
    )
    repeat = SelectField(_l("Repeat"), choices=REPEAT_CHOICES, default="")
    rrule = StringField(
        _l("Custom repeat rule (RRULE)"),
        validators=[Length(max=400)],
        description=_l(
            "For advanced use; when filled in it is used instead of the choice above, "
            "e.g. FREQ=MONTHLY;BYDAY=1WE."
        ),
    )
    until = DateField(
        _l("Repeat until"),
        validators=[Optional()],
        description=_l("The last day of the series; leave empty for two years ahead."),
    )
    scope = RadioField(
        _l("Apply the changes to"),
        choices=[
            SelectChoice("occurrence", _l("This occurrence only")),
            SelectChoice(
                "series", _l("This and the following occurrences, except those changed by hand")
            ),
        ],
        default="occurrence",
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, host_city: City | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        cities = active_cities()
        if host_city is not None and host_city not in cities:
            cities.append(host_city)  # an inactive city stays selectable where it is used
        self.host_city.choices = [SelectChoice(0, _("— none —"))] + [
            SelectChoice(city.id, f"{city.name} ({country_name(city.country)})") for city in cities
        ]
        self.timezone.choices = [
            SelectChoice(value, zone_choice_label(value, label), optgroup=zone_group_label(group))
            for value, label, group in zone_choices()
        ]
        self.audience.choices = [SelectChoice(role.id, role.label) for role in all_roles()]

    # Per-field checks; the service checks the times themselves.

    def validate_timezone(self, field):
        if not is_valid_zone(field.data):
            raise ValidationError(
                _("Unknown time zone %(zone)s. Choose one from the list.", zone=repr(field.data))
            )

    def validate_host_city(self, field):
        if field.data and db.session.get(City, field.data) is None:
            raise ValidationError(_("Choose a host city from the list."))

    def validate_audience(self, field):
        known = {choice.value for choice in self.audience.choices}
        if any(role_id not in known for role_id in field.data or []):
            raise ValidationError(_("Choose participant roles from the list."))

    def validate_rrule(self, field):
        if field.data and field.data.strip():
            try:
                check_rule(field.data)
            except RepeatRuleError as exc:
                raise ValidationError(str(RULE_PROBLEMS.get(exc.problem, exc))) from None
            if self.until.data and rule_has_end(field.data):
                raise ValidationError(
                    _(
                        "The rule already says when it ends (UNTIL or COUNT): "
                        "leave “Repeat until” empty or take it out of the rule."
                    )
                )
        elif self.repeat.data == "custom":
            raise ValidationError(_("Type a repeat rule, or choose a pattern from the list."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.start_date, self.end_date, self.until):
            if field.data and not year_in_range(field.data.year):
                field.errors.append(
                    _(
                        "Choose a day between %(first)s and %(last)s.",
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                    )
                )
                valid = False
        if self.start_date.data is None and not self.start_date.errors:
            self.start_date.errors.append(_("Give the first day."))
            valid = False
        if self.all_day.data:
            start, last = self.start_date.data, self.end_date.data
            if start and last and last < start:
                self.end_date.errors.append(_("The last day is before the first day."))
                valid = False
        else:
            for field, message in (
                (self.start_time, _("Give the start time, or tick “All day”.")),
                (self.end_time, _("Give the end time, or tick “All day”.")),
            ):
                if field.data is None and not field.errors:
                    field.errors.append(message)
                    valid = False
        until, start = self.until.data, self.start_date.data
        if until and start and until < start and self.repeat_rule_requested():
            self.until.errors.append(_("The series must end on or after its first day."))
            valid = False
        return valid

    # From and to the service's EventData.

    def repeat_rule_requested(self) -> bool:
        return bool((self.rrule.data or "").strip() or self.repeat.data)

    def repeat_rule(self) -> str | None:
        """The rule the coordinator asked for (typed, or from the menu), with UNTIL."""
        if (self.rrule.data or "").strip():
            rule = normalize_rule(self.rrule.data)
        else:
            rule = preset_rule(self.repeat.data, self.start_date.data)
        return with_until(rule, self.until.data) if rule else None

    def event_data(self, *, series_rule: str | None = None) -> EventData:
        """What the form says, for the services. Call after a successful ``validate``.

        ``series_rule`` is the rule of the series being edited: kept (with the form's
        "until") when the form asks for no other rule.
        """
        all_day = bool(self.all_day.data)
        first_day = self.start_date.data
        last_day = self.end_date.data or first_day
        if all_day:
            start, end = first_day, last_day + timedelta(days=1)  # exclusive end
        else:
            start = datetime.combine(first_day, self.start_time.data)
            end = datetime.combine(last_day, self.end_time.data)
        roles = []
        if self.audience.data:
            roles = list(
                db.session.execute(
                    sa.select(ParticipantRole)
                    .where(ParticipantRole.id.in_(self.audience.data))
                    .order_by(ParticipantRole.id)
                ).scalars()
            )
        return EventData(
            title=self.title.data.strip(),
            kind=EventKind(self.kind.data),
            timezone=self.timezone.data,
            start=start,
            end=end,
            all_day=all_day,
            format=EventFormat(self.format.data),
            description=self.description.data or "",
            host_city=db.session.get(City, self.host_city.data) if self.host_city.data else None,
            venue=self.venue.data or "",
            online_url=self.online_url.data or "",
            audience=roles,
            visibility=Visibility(self.visibility.data),
            capacity=self.capacity.data,
            rrule=self.repeat_rule() or self._kept_rule(series_rule),
            translations=self.translations(),
        )

    def language_fields(self) -> list["LanguageFields"]:
        """The "Other languages" section: each language's title and description."""
        return [
            LanguageFields(
                language,
                LANGUAGE_NAMES[language],
                self[f"title_{language}"],
                self[f"description_{language}"],
            )
            for language in TRANSLATED_LANGUAGES
        ]

    def translations(self) -> dict[str, EventText]:
        """The texts given in other languages (a language left empty has none)."""
        texts = {}
        for language in self.language_fields():
            title = (language.title.data or "").strip()
            description = language.description.data or ""
            if title or description.strip():
                texts[language.code] = EventText(title, description)
        return texts

    def _kept_rule(self, series_rule: str | None) -> str | None:
        if not series_rule:
            return None
        return with_until(split_until(series_rule)[0], self.until.data)

    def add_service_error(self, error: EventError) -> None:
        """Show a refusal of the service on the field it concerns, else above the form."""
        field = self._field_for(error.field)
        if field is None:
            self.form_errors.append(str(error))
        else:
            field.errors = [*field.errors, str(error)]

    def _field_for(self, name: str | None):
        """The input showing what the services call ``name``: times are typed as a day and
        a time of day (only the day for all-day events), a rule typed or picked."""
        timed = not self.all_day.data
        form_names = {
            "starts": "start_time" if timed else "start_date",
            "ends": "end_time" if timed else "end_date",
            "rrule": "rrule" if (self.rrule.data or "").strip() else "repeat",
        }
        name = form_names.get(name, name)
        return self._fields.get(name) if name else None


@dataclass(frozen=True)
class LanguageFields:
    """One language of the event form's "Other languages" section."""

    code: str
    name: str
    title: StringField
    description: TextAreaField

    @property
    def errors(self) -> list[str]:
        return [*self.title.errors, *self.description.errors]


def _add_language_fields(form_class: type[EventForm]) -> None:
    """The title and description in each other language: ``title_da``,
    ``description_da`` … (optional; held to the original title's length)."""
    for language in TRANSLATED_LANGUAGES:
        # The inputs say which language they are in (spelling checkers, screen readers).
        setattr(
            form_class,
            f"title_{language}",
            StringField(
                # Translators: a label: "Title (Dansk)"; the language named in itself.
                _l("Title (%(language)s)", language=LANGUAGE_NAMES[language]),
                validators=[Length(max=200)],
                render_kw={"lang": language},
            ),
        )
        setattr(
            form_class,
            f"description_{language}",
            TextAreaField(
                # Translators: a label: "Description (Dansk)"; the language named in itself.
                _l("Description (%(language)s)", language=LANGUAGE_NAMES[language]),
                render_kw={"rows": 4, "lang": language},
            ),
        )


_add_language_fields(EventForm)


def event_form_data(event: Event) -> dict:
    """The form's initial values for an existing event (its own wall-clock time)."""
    if event.all_day:
        start_date, last_day = event.start_date, event.end_date - timedelta(days=1)
        start_time = end_time = None
    else:
        start, end = event.local_start, event.local_end
        start_date, start_time = start.date(), start.time().replace(tzinfo=None)
        last_day, end_time = end.date(), end.time().replace(tzinfo=None)
    values = {
        "title": event.title,
        "kind": event.kind.value,
        "description": event.description,
        "format": event.format.value,
        "host_city": event.host_city_id or 0,
        "venue": event.venue,
        "online_url": event.online_url,
        "timezone": event.timezone,
        "all_day": event.all_day,
        "start_date": start_date,
        "start_time": start_time,
        "end_date": last_day,
        "end_time": end_time,
        "audience": [role.id for role in event.audience],
        "visibility": event.visibility.value,
        "capacity": event.capacity,
        "repeat": "",
        "rrule": "",
        "until": None,
    }
    for language, translation in event.translations_by_language().items():
        values[f"title_{language}"] = translation.title
        values[f"description_{language}"] = translation.description
    if event.series is not None:
        rule, until = split_until(event.series.rrule)
        values["until"] = until
        preset = next(
            (
                choice.value
                for choice in REPEAT_CHOICES
                if choice.value and preset_rule(choice.value, start_date) == rule
            ),
            None,
        )
        if preset:
            values["repeat"] = preset
        else:
            values["repeat"], values["rrule"] = "custom", rule
    return values


def new_event_form_data(zone: str | None) -> dict:
    """Sensible starting values for a new event."""
    return {
        "timezone": zone if is_valid_zone(zone) else DEFAULT_ZONE,
        "start_time": time(10, 0),
        "end_time": time(11, 30),
        "visibility": Visibility.public.value,
        "kind": EventKind.city_meeting.value,
        "format": EventFormat.online.value,
    }


# --- small forms -----------------------------------------------------------------------


class CancelEventForm(Form):
    reason = TextAreaField(
        _l("Why is it cancelled?"),
        validators=[DataRequired(_l("Say why the event is cancelled; participants will read it."))],
        description=_l("Participants read this in the cancellation and on the event page."),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Cancel the event"))


class PublishSelectedForm(Form):
    event_ids = IdSelectMultipleField(_l("Drafts to publish"), validate_choice=False)
    # Set by the confirmation page: without it the ticked drafts are shown, not published.
    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class ConfirmPublishForm(Form):
    """Publishing one event, from its confirmation page."""

    confirmed = HiddenField()


class AcceptConflictForm(Form):
    """Accept one of an event's conflicts (or, with ``undo``, count it again)."""

    conflict = StringField(_l("Conflict"), validators=[DataRequired(), Length(max=40)])
    undo = HiddenField()


# --- the public list's filters ---------------------------------------------------------

WHEN_CHOICES = {"upcoming": _l("Upcoming events"), "past": _l("Past events")}


@dataclass(frozen=True)
class FilterChoice:
    """A city or a participant role of the filters: what the query needs (``id``) and
    what the select shows. Plain rows: ORM objects cost more to load than the page
    needs of them."""

    id: int
    slug: str
    name: str
    country: str | None = None


def _filter_choices() -> tuple[list[FilterChoice], list[FilterChoice]]:
    """Every city (inactive ones too: their past events stay findable), by country and
    name, and every participant role, by id: in one statement."""
    cities = sa.select(
        sa.literal_column("0").label("kind"),
        City.id,
        City.slug,
        City.name,
        City.country,
        sa.func.row_number().over(order_by=(City.country, City.name)).label("position"),
    )
    roles = sa.select(
        sa.literal_column("1"),
        ParticipantRole.id,
        ParticipantRole.slug,
        ParticipantRole.name,
        sa.null(),
        sa.func.row_number().over(order_by=ParticipantRole.id),
    )
    found: tuple[list[FilterChoice], list[FilterChoice]] = ([], [])
    statement = sa.union_all(cities, roles).order_by(sa.text("kind"), sa.text("position"))
    for kind, id_, slug, name, country, _position in db.session.execute(statement):
        found[kind].append(FilterChoice(id_, slug, name, country))
    return found


class PlainSelect(Select):
    """WTForms' ``Select``, the same bytes, with its options written directly: the
    filters' selects have dozens of options, and ``html_params`` per option was a
    noticeable part of the list page (tests/events/test_filter_select.py compares)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        data, coerce = field.data, field.coerce
        choices = field._choices_from_input(field.choices) or []
        for optgroup, group in groupby(choices, key=attrgetter("optgroup")):
            if optgroup is not None:
                html.append(f"<optgroup {html_params(label=optgroup)}>")
            for choice in group:
                if choice.render_kw:  # not used by the filters: WTForms' own way
                    html.append(
                        self.render_option(
                            Choice(
                                choice.value,
                                choice.label,
                                coerce(choice.value) == data,
                                choice.render_kw,
                            )
                        )
                    )
                    continue
                value = choice.value
                selected = "selected " if coerce(value) == data else ""
                if isinstance(value, bool):
                    value = str(value)
                # escape() leaves no '"' for html_params' &quot; to replace.
                label = escape(choice.label or choice.value)
                html.append(f'<option {selected}value="{escape(value)}">{label}</option>')
            if optgroup is not None:
                html.append("</optgroup>")
        html.append("</select>")
        return Markup("".join(html))


class EventFilterForm(Form):
    """Filters read from the query string; unknown values become errors people can read.

    After ``validate()``, ``kind``, ``host_city`` and ``role`` hold what was chosen.
    """

    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(
        _l("Search"), validators=[Length(max=200, message=_l("Search for at most 200 letters."))]
    )
    kind = SelectField(_l("Kind"), validate_choice=False, widget=PlainSelect())
    city = SelectField(_l("Host city"), validate_choice=False, widget=PlainSelect())
    # Translators: the label of the filter by participant role: events for practitioners …
    role = SelectField(_l("For"), validate_choice=False, widget=PlainSelect())
    when = SelectField(
        _l("When"),
        choices=[SelectChoice(value, label) for value, label in WHEN_CHOICES.items()],
        default="upcoming",
        validate_choice=False,
        widget=PlainSelect(),
    )
    submit = SubmitField(_l("Show events"))

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata, **kwargs)
        cities, roles = _filter_choices()
        self._cities = {city.slug: city for city in cities}
        self._roles = {role.slug: role for role in roles}
        self.kind.choices = [SelectChoice("", _("All kinds"))] + [
            SelectChoice(kind.value, kind.label) for kind in EventKind
        ]
        self.city.choices = [SelectChoice("", _("All cities"))] + [
            SelectChoice(city.slug, city.name, optgroup=country_name(city.country))
            for city in self._cities.values()
        ]
        self.role.choices = [SelectChoice("", _("Any participant role"))] + [
            SelectChoice(role.slug, role_label(role.name)) for role in self._roles.values()
        ]
        self.selected_kind: EventKind | None = None
        self.host_city: FilterChoice | None = None
        self.participant_role: FilterChoice | None = None

    def validate_kind(self, field):
        if not field.data:
            return
        try:
            self.selected_kind = EventKind(field.data)
        except ValueError:
            raise ValidationError(
                _(
                    "There is no kind of event called “%(value)s”. Choose one from the list.",
                    value=field.data,
                )
            ) from None

    def validate_city(self, field):
        if not field.data:
            return
        self.host_city = self._cities.get(field.data)
        if self.host_city is None:
            raise ValidationError(
                _(
                    "There is no member city called “%(value)s”. Choose one from the list.",
                    value=field.data,
                )
            )

    def validate_role(self, field):
        if not field.data:
            return
        self.participant_role = self._roles.get(field.data)
        if self.participant_role is None:
            raise ValidationError(
                _(
                    "There is no participant role called “%(value)s”. Choose one from the list.",
                    value=field.data,
                )
            )

    def validate_when(self, field):
        if not field.data:
            field.data = "upcoming"
        elif field.data not in WHEN_CHOICES:
            raise ValidationError(
                _(
                    "“%(value)s” is not a time to show: choose upcoming or past events.",
                    value=field.data,
                )
            )

    @property
    def showing_past(self) -> bool:
        return self.when.data == "past"
