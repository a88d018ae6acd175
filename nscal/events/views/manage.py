"""Coordinators' event pages under /manage/: the event list, the event form, cancelling,
publishing, and the yearly calendar with its conflicts.

Views parse, authorize, call a service, flash and redirect; the services commit nothing.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user
from markupsafe import Markup, escape

from nscal.accounts.permissions import coordinator_required
from nscal.cities.models import active_cities
from nscal.db import db
from nscal.errors import EXPIRED_FORM, recover_after_csrf
from nscal.events.conflicts import (
    OUTSIDE_HOURS,
    ConflictSummary,
    PlanConflicts,
    format_when,
    plan_conflicts,
    summarise_conflicts,
)
from nscal.events.form_sections import SectionError, sections
from nscal.events.forms import (
    AcceptConflictForm,
    CancelEventForm,
    ConfirmPublishForm,
    EventForm,
    PublishSelectedForm,
    event_form_data,
    new_event_form_data,
)
from nscal.events.models import AcceptedConflict, Event, EventStatus
from nscal.events.plan import PlanEntry, YearPlan, year_plan
from nscal.events.publishing import (
    accept_conflict,
    mark_accepted,
    publication_plan,
    withdraw_acceptance,
)
from nscal.events.repeat_rules import describe_rule
from nscal.events.services import (
    EventError,
    TimeWarning,
    cancel_event,
    clone_event,
    copy_year_series,
    create_event,
    delete_draft,
    events_in_year,
    people_with_places,
    publish_events,
    unpublish_event,
    update_event,
    update_this_and_following,
)
from nscal.timedisplay import month_name
from nscal.timeutil import NORDIC_ZONES, year_in_range

manage_events = Blueprint("manage_events", __name__, url_prefix="/manage")

EVENTS_PER_PAGE = 50
PLAN_PAGE_SIZE = 200  # events per page of a year's plan


@manage_events.context_processor
def _helpers():
    return {"event_when": format_when, "describe_rule": describe_rule}


@manage_events.app_context_processor
def _planning_years():
    # For the dashboard's links (its view lives in nscal.manage).
    return {"planning_years": lambda: (_this_year(), _this_year() + 1)}


def _flash_notes(notes: list[str]) -> None:
    """Notes from the services: a time that happens twice is a warning, the rest news."""
    for note in notes:
        category = "warning" if isinstance(note, TimeWarning) else "info"
        flash(note, category)


def _this_year() -> int:
    return datetime.now(UTC).year


# --- the event list --------------------------------------------------------------------


@manage_events.get("/events/")
@coordinator_required
def event_list():
    year = request.args.get("year", type=int)
    if year is not None and not year_in_range(year):
        year = None
    status = request.args.get("status", "")
    query = sa.select(Event)
    if status in {s.value for s in EventStatus}:
        query = query.where(Event.status == EventStatus(status))
    else:
        status = ""
    pagination = None
    if year is not None:
        events = events_in_year(year, query)
    else:
        pagination = db.paginate(
            query.order_by(Event.starts_at, Event.id), per_page=EVENTS_PER_PAGE, error_out=False
        )
        events = pagination.items
    first, last = db.session.execute(
        sa.select(sa.func.min(Event.starts_at), sa.func.max(Event.starts_at))
    ).one()
    this_year = _this_year()
    years = range(
        min(first.year if first else this_year, this_year),
        max(last.year if last else this_year, this_year + 1) + 1,
    )
    return render_template(
        "manage/events/list.html",
        events=events,
        pagination=pagination,
        year=year,
        status=status,
        years=years,
        statuses=list(EventStatus),
    )


# --- one event -------------------------------------------------------------------------


def _bound_sections(event: Event | None) -> list[tuple]:
    """The other rooms' sections of the event form (nscal.events.form_sections)."""
    return [(section, section.bind(event)) for section in sections()]


def _validate(form: EventForm, bound: list[tuple], event: Event | None, affected) -> bool:
    """The event form and every section, together: all their messages at once."""
    valid = form.validate_on_submit()
    if not form.is_submitted():
        return False
    for section, section_form in bound:
        valid = section.validate(section_form, form, event, affected) and valid
    return valid


def _save_sections(bound: list[tuple], events: list[Event]) -> list[str]:
    notes = []
    for section, section_form in bound:
        notes += section.save(section_form, events)
    return notes


def _render_form(form: EventForm, bound: list[tuple], event: Event | None):
    skipped = {name for section, _form in bound for name in section.renders_event_fields}
    return render_template(
        "manage/events/form.html",
        form=form,
        event=event,
        sections=bound,
        skipped=skipped,
        section_errors=any(section_form.errors for _section, section_form in bound),
    )


def _in_order(events) -> list[Event]:
    return sorted(events, key=lambda event: (event.starts_at, event.id))


def _following(event: Event) -> list[Event]:
    """``event`` and the later occurrences of its series a series edit changes (read
    from the database: a new rule may have dropped some)."""
    later = db.session.execute(
        sa.select(Event).where(
            Event.series_id == event.series_id,
            Event.id != event.id,
            Event.starts_at >= event.starts_at,
            Event.detached.is_(False),
        )
    ).scalars()
    return [event, *_in_order(later)]


@manage_events.route("/events/new", methods=["GET", "POST"])
@coordinator_required
def new_event():
    if request.method == "POST":
        form = EventForm()
    else:
        zone = current_user.city.timezone if current_user.city else None
        form = EventForm(data=new_event_form_data(zone))
    bound = _bound_sections(None)
    if _validate(form, bound, None, []):
        data = form.event_data()
        try:
            event, notes = create_event(data, created_by=current_user)
            events = _following(event) if event.series_id else [event]
            notes += _save_sections(bound, events)
        except (EventError, SectionError) as exc:
            db.session.rollback()
            _show_refusal(form, exc)
        else:
            db.session.commit()
            if event.series_id:
                saved = _("The series “%(title)s” is saved as a draft.", title=event.title)
            else:
                saved = _("The event “%(title)s” is saved as a draft.", title=event.title)
            flash(saved, "success")
            _flash_notes(notes)
            return redirect(url_for(".edit_event", event_id=event.id))
    return _render_form(form, bound, None)


@manage_events.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_event(event_id: int):
    event = db.get_or_404(Event, event_id)
    if request.method == "POST":
        form = EventForm(host_city=event.host_city)
    else:
        form = EventForm(data=event_form_data(event), host_city=event.host_city)
    bound = _bound_sections(event)
    whole_series = event.series is not None and form.scope.data == "series"
    affected = _following(event) if whole_series else [event]
    if _validate(form, bound, event, affected):
        data = form.event_data(series_rule=event.series.rrule if whole_series else None)
        try:
            if whole_series:
                notes = update_this_and_following(event, data)
            else:
                data.rrule = None  # one event (or occurrence) keeps its place in its series
                notes = update_event(event, data)
            if db.session.get(Event, event_id) is not None:
                notes += _save_sections(bound, _following(event) if whole_series else [event])
        except (EventError, SectionError) as exc:
            db.session.rollback()
            _show_refusal(form, exc)
        else:
            db.session.commit()
            if whole_series:
                flash(
                    _(
                        "“%(title)s” and the following occurrences are saved.",
                        title=data.title.strip(),
                    ),
                    "success",
                )
            else:
                flash(_("“%(title)s” is saved.", title=event.title), "success")
            _flash_notes(notes)
            if db.session.get(Event, event_id) is None:  # the new rule dropped this date
                return redirect(url_for(".event_list"))
            return redirect(url_for(".edit_event", event_id=event_id))
    return _render_form(form, bound, event)


def _show_refusal(form: EventForm, error: Exception) -> None:
    if isinstance(error, EventError):
        form.add_service_error(error)
    else:
        form.form_errors.append(str(error))


@recover_after_csrf("manage_events.new_event", "manage_events.edit_event")
def _event_form_again():
    """The event form refused by the CSRF check (the page was open too long): shown
    again with everything typed, nothing saved, and a fresh token."""
    if not (current_user.is_authenticated and current_user.is_coordinator):
        return None
    event_id = (request.view_args or {}).get("event_id")
    event = db.session.get(Event, event_id) if event_id is not None else None
    if event_id is not None and event is None:
        return None
    form = EventForm(host_city=event.host_city) if event else EventForm()
    form.form_errors.append(EXPIRED_FORM)
    return render_template("manage/events/form.html", form=form, event=event), 400


@manage_events.post("/events/<int:event_id>/clone")
@coordinator_required
def clone(event_id: int):
    event = db.get_or_404(Event, event_id)
    try:
        copy = clone_event(event, created_by=current_user)
    except EventError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".edit_event", event_id=event_id))
    db.session.commit()
    flash(
        _("This is a draft copy of “%(title)s”: change what differs and save.", title=event.title),
        "success",
    )
    return redirect(url_for(".edit_event", event_id=copy.id))


@manage_events.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@coordinator_required
def cancel(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            cancel_event(event, form.reason.data)
        except EventError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "“%(title)s” is cancelled; it stays in the calendar as cancelled.",
                    title=event.title,
                ),
                "success",
            )
            return redirect(url_for(".edit_event", event_id=event_id))
    return render_template(
        "manage/events/cancel.html", form=form, event=event, holding=people_with_places(event)
    )


@manage_events.get("/events/<int:event_id>/delete")
@coordinator_required
def confirm_delete(event_id: int):
    """The second step before a draft is deleted: what goes, and that it is for good."""
    event = db.get_or_404(Event, event_id)
    return render_template("manage/events/delete.html", event=event)


@manage_events.post("/events/<int:event_id>/delete")
@coordinator_required
def delete(event_id: int):
    event = db.get_or_404(Event, event_id)
    title = event.title
    try:
        delete_draft(event)
    except EventError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".edit_event", event_id=event_id))
    db.session.commit()
    flash(_("The draft “%(title)s” is deleted.", title=title), "success")
    return redirect(url_for(".event_list"))


@manage_events.post("/events/<int:event_id>/publish")
@coordinator_required
def publish(event_id: int):
    """Publish one draft: first its confirmation page, with its warnings; then, from
    there (``confirmed=yes``), the event."""
    event = db.get_or_404(Event, event_id)
    if event.status is not EventStatus.draft:
        flash(
            _(
                "“%(title)s” is %(status)s, not a draft: nothing to publish.",
                title=event.title,
                status=event.status.label.lower(),
            ),
            "info",
        )
        return redirect(url_for(".edit_event", event_id=event_id))
    form = ConfirmPublishForm()
    if form.validate_on_submit() and form.confirmed.data == "yes":
        publish_events([event])
        db.session.commit()
        flash(_("“%(title)s” is published.", title=event.title), "success")
        return redirect(url_for(".edit_event", event_id=event_id))
    year = _plan_year(event)
    return _confirmation(
        year,
        [event],
        action=url_for(".publish", event_id=event_id),
        back=url_for(".edit_event", event_id=event_id),
        single=True,
    )


@manage_events.route("/events/<int:event_id>/unpublish", methods=["GET", "POST"])
@coordinator_required
def unpublish(event_id: int):
    """Return a published event to draft: a page that says what happens, then the POST.

    With people registered it is refused (they would lose the event without a word);
    the page says so and points to cancelling, which tells them.
    """
    event = db.get_or_404(Event, event_id)
    if request.method == "POST":
        form = ConfirmPublishForm()
        if form.validate_on_submit():
            try:
                unpublish_event(event)
            except EventError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(
                    _(
                        "“%(title)s” is a draft again: it has left the calendar and the "
                        "feeds until you publish it.",
                        title=event.title,
                    ),
                    "success",
                )
                return redirect(url_for(".edit_event", event_id=event_id))
        else:
            flash(_("The form had expired; please confirm again."), "error")
    return render_template(
        "manage/events/unpublish.html", event=event, holding=people_with_places(event)
    )


# --- the yearly calendar ---------------------------------------------------------------


def _year_or_404(year: int) -> int:
    if not year_in_range(year):
        abort(404)
    return year


def _member_cities() -> dict[str, list[str]]:
    """Where people join online events from: each zone of the active member cities,
    with those cities' names (the Nordic zones by name when there are no cities)."""
    zones: dict[str, list[str]] = {}
    for city in active_cities():
        zones.setdefault(city.timezone, []).append(city.name)
    return zones or {zone: [] for zone, _label in NORDIC_ZONES}


def _year_conflicts(events: list):
    """Each event's conflicts over ``events`` (a year), with the accepted ones marked."""
    summaries = summarise_conflicts(events, _member_cities())
    mark_accepted(summaries)
    return summaries


def _plan_conflicts(events: YearPlan, shown: set[int]) -> PlanConflicts:
    """The conflicts of a year's plan, worded for the events ``shown``, counted for all,
    with the accepted ones marked."""
    # An accepted office-hours conflict holds while its message reads the same, so
    # those events are worded; an accepted overlap counts where it is among the
    # event's named ones, so those events' named overlaps are found.
    worded, partnered = set(shown), set()
    rows = db.session.execute(
        sa.select(
            AcceptedConflict.event_id,
            AcceptedConflict.other_event_id,
            AcceptedConflict.conflict_key,
        )
    )
    for event_id, other_id, key in rows:
        if key == OUTSIDE_HOURS:
            worded.add(event_id)
        else:
            partnered.update((event_id, other_id))
    plan = plan_conflicts(events, _member_cities(), worded=worded, partnered=partnered)
    mark_accepted(plan.summaries)
    return plan


def _plan_year(event: Event) -> int:
    return (event.start_date if event.all_day and event.start_date else event.local_start).year


@dataclass
class PlanPage:
    """One page of a year's plan, with what the pager macro reads."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


_SLOT = "\x00"  # where a value goes into a translated phrase (no catalog holds it)


def _filler(message: str, name: str) -> Callable[[object], str]:
    """``Markup(_(message)) % {name: value}`` (as the template's ``_()``) for many values:
    translated and formatted once, each value escaped into its placeholder's place."""
    phrase = str(Markup(_(message)) % {name: _SLOT})
    return lambda value: phrase.replace(_SLOT, escape(value))


def _id_url(endpoint: str):
    """``url_for(endpoint, event_id=…)`` for many events: routed once, each id filled in
    (as ``nscal.templating.event_url``)."""
    marker = "918273645"
    prefix, _marker, suffix = url_for(endpoint, event_id=int(marker)).partition(marker)
    prefix, suffix = escape(prefix), escape(suffix)
    return lambda event_id: Markup(f"{prefix}{int(event_id)}{suffix}")


# One event of the plan's list as the template wrote it, whitespace and all (the page
# stays byte for byte the same): each value escaped before it is put in.
_PLAN_ROW = (
    '\n            \n            <li id="event-{id}">\n              {pick}\n'
    '              <a href="{edit_url}">{edit}<span class="visually-hidden"> {title}</span></a>\n'
    "              <br><small>{when} · {format}{host}\n"
    "                · {audience}\n"
    "                · {status}{attended}{minutes}</small>\n"
    "              {conflicts}\n            </li>\n          "
)
_PICK_DRAFT = (
    '\n                <input type="checkbox" name="event_ids" value="{id}" id="pick-{id}">\n'
    '                <label for="pick-{id}"><span class="visually-hidden">{publish} </span>'
    "{title}</label>\n              "
)
_CONFLICTS = (
    '\n                \n                <ul class="conflicts" aria-label="{label}">\n'
    "                  {items}\n                  {more}\n                </ul>\n              "
)
_ACCEPTED = (
    '\n                    \n                      <li class="accepted">{message}\n'
    '                        <button type="submit" class="link-button" form="undo-conflict"'
    ' formaction="{url}" name="conflict" value="{key}">{again}'
    '<span class="visually-hidden"> {target}</span></button></li>\n'
    "                    \n                  "
)
_OPEN = (
    '\n                    \n                      <li class="error">{message}\n'
    '                        <button type="submit" form="accept-conflict" formaction="{url}"'
    ' name="conflict" value="{key}">{accept}'
    '<span class="visually-hidden"> {target}</span></button></li>\n'
    "                    \n                  "
)


def _plan_rows(summaries: dict[int, ConflictSummary]):
    """What writes the events of a month of the plan as HTML (``rows(events,
    attended_count, has_minutes)``, the last two the template's helpers of attendance
    and materials): each label, audience and status worded once per page, each value
    escaped once (the template's per-event steps were most of the page)."""
    edit_url = _id_url("manage_events.edit_event")
    accept_url = _id_url("manage_events.accept")
    detail_url = _id_url("events.detail")
    conflicts_of = _filler("Conflicts of %(title)s", "title")
    accepted = _filler("Accepted conflict: %(conflict)s", "conflict")
    open_conflict = _filler("Conflict: %(conflict)s", "conflict")
    for_title = _filler("for %(title)s", "title")
    this_conflict_of = _filler("this conflict of %(title)s", "title")
    formats: dict = {}
    audiences: dict[tuple, Markup] = {}
    statuses: dict[tuple, Markup] = {}
    attended_texts: dict[int, Markup] = {}
    more_texts: dict[int, Markup] = {}
    for_audience = Markup(_("for %(audience)s"))
    everyone = Markup(_("for everyone"))
    cancelled = Markup("<strong>%s</strong>") % pgettext("event status", "Cancelled")
    publish, edit = Markup(_("Publish")), Markup(_("edit"))
    again, accept = Markup(_("Count it again")), Markup(_("Accept"))
    # Translators: the written record of a meeting (not a length of time).
    minutes_word = Markup(_("minutes"))

    def attended_text(count: int) -> Markup:
        text = attended_texts.get(count)
        if text is None:
            text = attended_texts[count] = Markup(
                ' · <span class="attended-count">%s</span>'
            ) % Markup(ngettext("%(num)d attended", "%(num)d attended", count))
        return text

    def more_text(count: int) -> str:
        text = more_texts.get(count)
        if text is None:
            words = ngettext(
                "Conflict: and %(num)d more overlap for the same audience.",
                "Conflict: and %(num)d more overlaps for the same audience.",
                count,
            )
            text = more_texts[count] = Markup('<li class="error">%s</li>') % Markup(words)
        return text

    def conflicts(event: PlanEntry, title: Markup) -> str:
        summary = summaries.get(event.id)
        if not summary:
            return ""
        url = accept_url(event.id)
        undo_target, accept_target = for_title(title), this_conflict_of(title)
        items = [
            _ACCEPTED.format(
                message=accepted(conflict.message),
                url=url,
                key=escape(conflict.key),
                again=again,
                target=undo_target,
            )
            if conflict.accepted
            else _OPEN.format(
                message=open_conflict(conflict.message),
                url=url,
                key=escape(conflict.key),
                accept=accept,
                target=accept_target,
            )
            for conflict in summary.conflicts
        ]
        more = summary.more_overlaps
        return _CONFLICTS.format(
            label=conflicts_of(title), items="".join(items), more=more_text(more) if more else ""
        )

    def row(event: PlanEntry, attended_count, has_minutes) -> str:
        if event.format not in formats:
            formats[event.format] = escape(event.format.label)
        roles = event.audience
        key = tuple(role.id for role in roles)
        if key not in audiences:
            audiences[key] = (
                for_audience % {"audience": ", ".join(role.label for role in roles)}
                if roles
                else everyone
            )
        kind = (event.is_cancelled, event.status)
        if kind not in statuses:
            statuses[kind] = cancelled if event.is_cancelled else escape(event.status.label)
        event_id, title, host = int(event.id), escape(event.title), event.host_city
        attended = attended_count(event)
        return _PLAN_ROW.format(
            id=event_id,
            pick=_PICK_DRAFT.format(id=event_id, publish=publish, title=title)
            if event.status is EventStatus.draft
            else f"\n                {title}\n              ",
            edit_url=edit_url(event_id),
            edit=edit,
            title=title,
            when=escape(format_when(event)),
            format=formats[event.format],
            host=f", {escape(host.name)}" if host else "",
            audience=audiences[key],
            status=statuses[kind],
            attended="" if attended is None else attended_text(attended),
            minutes=f' · <a class="minutes-mark" href="{detail_url(event_id)}#materials">'
            f"{minutes_word}</a>"
            if has_minutes(event)
            else "",
            conflicts=conflicts(event, title),
        )

    def rows(events: list[PlanEntry], attended_count, has_minutes) -> Markup:
        return Markup("".join([row(event, attended_count, has_minutes) for event in events]))

    return rows


@manage_events.get("/calendar/<int:year>")
@coordinator_required
def year_calendar(year: int):
    # Conflicts are found and counted over the whole year, read as rows; a page shows
    # at most PLAN_PAGE_SIZE events, the only ones worded, so a busy year stays a page a
    # browser can hold.
    events = year_plan(_year_or_404(year))
    pages = max(1, -(-len(events) // PLAN_PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    first = (page - 1) * PLAN_PAGE_SIZE
    shown_rows = range(first, min(first + PLAN_PAGE_SIZE, len(events)))
    plan = _plan_conflicts(events, {events.ids[i] for i in shown_rows})
    # The page's events as the plan's entries (made already to word their conflicts),
    # not loaded again as events: they carry all a row shows.
    shown = [events.entry(i) for i in shown_rows]
    first_month = shown[0].month if shown and page > 1 else 1
    last_month = shown[-1].month if shown and page < pages else 12
    months = {month: (month_name(month), []) for month in range(first_month, last_month + 1)}
    for event in shown:
        months[event.month][1].append(event)
    # The year at a glance, for the month links of a year on several pages.
    # (Counted in C: Counter, compress and list.index, not a Python step per event.)
    warned = plan.warnings()
    months_in, conflicted_in = Counter(events.months), Counter(compress(events.months, warned))
    overview = {
        month: {
            "events": months_in[month],
            "conflicted": conflicted_in[month],
            "page": events.months.index(month) // PLAN_PAGE_SIZE + 1 if months_in[month] else 0,
        }
        for month in range(1, 13)
    }
    conflicted = sum(warned)
    return render_template(
        "manage/calendar/year.html",
        year=year,
        months=months.items(),
        plan_rows=_plan_rows(plan.summaries),
        overview=[(month_name(month), month, counts) for month, counts in overview.items()],
        pagination=PlanPage(page, pages),
        total=len(events),
        drafts=events.drafts,
        conflicted=conflicted,
        publish_form=PublishSelectedForm(),
        accept_form=AcceptConflictForm(),
    )


def _confirmation(year: int, drafts: list[Event], *, action: str, back: str, single=False):
    """The page that lists what would be published, with its warnings, and asks once."""
    summaries = _year_conflicts(events_in_year(year))
    plan = publication_plan(drafts, summaries)
    return render_template(
        "manage/calendar/publish_confirm.html",
        year=year,
        plan=plan,
        action=action,
        back=back,
        single=single,
        form=PublishSelectedForm(formdata=None),
    )


@manage_events.get("/calendar/<int:year>/publish")
@coordinator_required
def confirm_publish_year(year: int):
    """Every draft of the year, with its warnings, before anything is published."""
    drafts = sa.select(Event).where(Event.status == EventStatus.draft)
    return _confirmation(
        year,
        events_in_year(_year_or_404(year), drafts),
        action=url_for(".publish_selected", year=year),
        back=url_for(".year_calendar", year=year),
    )


@manage_events.post("/calendar/<int:year>/publish-selected")
@coordinator_required
def publish_selected(year: int):
    """The ticked drafts: without ``confirmed=yes`` the confirmation page lists them;
    with it (from that page) exactly the ids it listed and left ticked are published."""
    _year_or_404(year)
    form = PublishSelectedForm()
    page = request.args.get("page", type=int)
    page = page if page and page > 1 else None
    back = url_for(".year_calendar", year=year, page=page)
    if not form.validate_on_submit():
        flash(_("Tick the drafts to publish in the list."), "error")
        return redirect(back)
    if not form.event_ids.data:
        flash(_("Tick the drafts to publish first; nothing was published."), "info")
        return redirect(back)
    chosen = events_in_year(year, sa.select(Event).where(Event.id.in_(form.event_ids.data)))
    if not form.is_confirmed:
        return _confirmation(
            year,
            chosen,
            action=url_for(".publish_selected", year=year, page=page),
            back=back,
        )
    published = publish_events(chosen)
    db.session.commit()
    flash(ngettext("Published %(num)d event.", "Published %(num)d events.", published), "success")
    return redirect(back)


@manage_events.post("/calendar/<int:year>/publish-all")
@coordinator_required
def publish_year(year: int):
    """Nothing is published in one click any more: the confirmation page comes first."""
    _year_or_404(year)
    return redirect(url_for(".confirm_publish_year", year=year), code=303)


@manage_events.post("/events/<int:event_id>/conflicts")
@coordinator_required
def accept(event_id: int):
    """Accept one of the event's conflicts (it stops counting as a warning), or undo that."""
    event = db.get_or_404(Event, event_id)
    year = _plan_year(event)
    back = url_for(".year_calendar", year=year, _anchor=f"event-{event_id}")
    form = AcceptConflictForm()
    if not form.validate_on_submit():
        flash(_("Choose a conflict to accept from the plan."), "error")
        return redirect(back)
    if form.undo.data == "yes":
        withdraw_acceptance(event, form.conflict.data)
        db.session.commit()
        flash(
            _("The conflict of “%(title)s” counts as a warning again.", title=event.title),
            "success",
        )
        return redirect(back)
    summary = _year_conflicts(events_in_year(year))[event.id] if year_in_range(year) else None
    try:
        if summary is None:
            raise EventError(_("That conflict is no longer there: nothing to accept."))
        message = accept_conflict(event, form.conflict.data, summary, current_user)
    except EventError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(
        _("Accepted for “%(title)s”: %(conflict)s", title=event.title, conflict=message), "success"
    )
    return redirect(back)


@manage_events.post("/calendar/<int:year>/copy-series")
@coordinator_required
def copy_series(year: int):
    copied, skipped = copy_year_series(_year_or_404(year), created_by=current_user)
    db.session.commit()
    if copied:
        titles = ", ".join(f"“{title}”" for title in copied)
        flash(
            ngettext(
                "Copied %(num)d series from %(last_year)s into %(year)s as drafts: %(titles)s.",
                "Copied %(num)d series from %(last_year)s into %(year)s as drafts: %(titles)s.",
                len(copied),
                last_year=year - 1,
                year=year,
                titles=titles,
            ),
            "success",
        )
    else:
        flash(
            _("No series copied from %(last_year)s into %(year)s.", last_year=year - 1, year=year),
            "info",
        )
    for reason in skipped:
        flash(_("Skipped: %(reason)s", reason=reason), "info")
    return redirect(url_for(".year_calendar", year=year))
