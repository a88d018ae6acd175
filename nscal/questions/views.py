"""Question pages: coordinators manage an event's (or its series') questions and the
participant list setting, and download the attendee list as .xlsx; participants change
their answers and whether they appear on the participant list."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import SelectChoice

from nscal.accounts.permissions import coordinator_required
from nscal.cities.models import all_roles
from nscal.db import db, utcnow
from nscal.events.models import Event
from nscal.events.services import can_view
from nscal.questions.feedback import (
    LINK_DAYS,
    attendance_taken,
    feedback_as_csv,
    feedback_questions,
    feedback_results,
    invitable,
    invitation_event,
    invitation_for_token,
    send_survey,
    submit_feedback,
    survey_for,
)
from nscal.questions.forms import (
    ChangeAnswersForm,
    CopyQuestionsForm,
    DeleteQuestionForm,
    FeedbackForm,
    ListingForm,
    MoveQuestionForm,
    ParticipantListSettingForm,
    QuestionForm,
    SendSurveyForm,
    sent_answers,
)
from nscal.questions.models import Question, QuestionKind, QuestionPurpose
from nscal.questions.services import (
    AnswerSheet,
    Owner,
    QuestionError,
    add_question,
    answer_count,
    answer_summaries,
    answer_text,
    answers_by_registration,
    answers_close_at,
    change_answers,
    copy_questions,
    copy_sources,
    delete_question,
    is_listed,
    listed_registrations,
    may_change_answers,
    move_question,
    own_questions,
    owner_exists,
    participant_list,
    participant_list_visible,
    questions_asked,
    questions_for,
    read_answers,
    set_listed,
    set_participant_list_visible,
    stored_sheet,
    update_question,
)
from nscal.questions.spreadsheet import roster_workbook, roster_xlsx_filename
from nscal.registrations.models import RegistrationStatus
from nscal.registrations.services import active_registration
from nscal.web import flash_form_errors

questions = Blueprint("questions", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _questions_page(event_id: int, purpose=QuestionPurpose.registration):
    endpoint = (
        "questions.feedback_manage" if purpose is QuestionPurpose.feedback else "questions.manage"
    )
    return redirect(url_for(endpoint, event_id=event_id))


def _question_form(event: Event, **kwargs) -> QuestionForm:
    form = QuestionForm(**kwargs)
    form.roles.choices = [SelectChoice(role.id, role.label) for role in all_roles()]
    return form


def _ask_at(event: Event) -> Owner:
    """Where a new question goes: the series when asked (and the event has one)."""
    if request.form.get("ask_at") == "series" and event.series_id:
        return Owner("series", event.series_id)
    return Owner("event", event.id)


@questions.route("/manage/events/<int:event_id>/questions", methods=["GET", "POST"])
@coordinator_required
def manage(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = _question_form(event, prefix="new")
    if form.validate_on_submit():
        try:
            question = add_question(_ask_at(event), form.question_data())
        except QuestionError as exc:
            db.session.rollback()
            form.label.errors.append(str(exc))
        else:
            label = question.label
            db.session.commit()
            flash(_("Question added: %(label)s", label=label), "success")
            return _questions_page(event_id)
    status = 422 if form.errors else 200
    copy_form = CopyQuestionsForm(prefix="copy")
    copy_form.source.choices = [
        SelectChoice(f"{owner.kind}-{owner.id}", label)
        for owner, label in copy_sources(Owner("event", event.id))
    ]
    series_questions = own_questions(Owner("series", event.series_id)) if event.series_id else []
    return render_template(
        "questions/manage.html",
        event=event,
        series_questions=series_questions,
        event_questions=own_questions(Owner("event", event.id)),
        form=form,
        copy_form=copy_form,
        answer_count=answer_count,
    ), status


@questions.post("/manage/events/<int:event_id>/questions/copy")
@coordinator_required
def copy(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = CopyQuestionsForm(prefix="copy")
    form.source.choices = None  # any owner: checked below
    form.source.validate_choice = False
    source = Owner.parse(form.source.data or "") if form.validate_on_submit() else None
    if source is None or not owner_exists(source):
        flash(_("Choose an event or series to copy the questions of."), "error")
        return _questions_page(event_id)
    try:
        count = copy_questions(source, _ask_at(event))
    except QuestionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            ngettext("%(num)d question(s) copied.", "%(num)d question(s) copied.", count),
            "success",
        )
    return _questions_page(event_id)


def _question_or_404(question_id: int) -> tuple[Question, int]:
    """The question and the event its page belongs to (a series': its first occurrence,
    unless the page says which occurrence)."""
    question = db.get_or_404(Question, question_id)
    event_id = question.event_id
    if event_id is None:
        asked = request.args.get("event", "")
        event = db.session.get(Event, int(asked)) if asked.isdigit() and len(asked) < 10 else None
        if event is None or event.series_id != question.series_id:
            event = db.session.execute(
                db.select(Event).where(Event.series_id == question.series_id).limit(1)
            ).scalar()
        if event is None:
            abort(404)
        event_id = event.id
    return question, event_id


@questions.route("/manage/questions/<int:question_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(question_id: int):
    question, event_id = _question_or_404(question_id)
    event = db.session.get(Event, event_id)
    form = _question_form(event)
    answered = answer_count(question.id)
    if not form.is_submitted():
        form.fill(question)
    if form.validate_on_submit():
        try:
            update_question(question, form.question_data())
        except QuestionError as exc:
            db.session.rollback()
            form.kind.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return _questions_page(event_id, question.purpose)
    return render_template(
        "questions/edit.html", event=event, question=question, form=form, answered=answered
    ), (422 if form.errors else 200)


@questions.post("/manage/questions/<int:question_id>/move")
@coordinator_required
def move(question_id: int):
    question, event_id = _question_or_404(question_id)
    form = MoveQuestionForm()
    if form.validate_on_submit():
        move_question(question, -1 if form.direction.data == "up" else 1)
        db.session.commit()
    else:
        flash_form_errors(form)
    return _questions_page(event_id, question.purpose)


@questions.route("/manage/questions/<int:question_id>/delete", methods=["GET", "POST"])
@coordinator_required
def delete(question_id: int):
    question, event_id = _question_or_404(question_id)
    form = DeleteQuestionForm()
    if form.validate_on_submit():
        label, purpose = question.label, question.purpose
        delete_question(question)
        db.session.commit()
        flash(_("Question deleted: %(label)s", label=label), "success")
        return _questions_page(event_id, purpose)
    return render_template(
        "questions/delete.html",
        event=db.session.get(Event, event_id),
        question=question,
        form=form,
        answered=answer_count(question.id),
    )


@questions.post("/manage/events/<int:event_id>/participant-list")
@coordinator_required
def participant_list_setting(event_id: int):
    db.get_or_404(Event, event_id)
    form = ParticipantListSettingForm(prefix="plist")
    if form.validate_on_submit():
        set_participant_list_visible(event_id, bool(form.visible.data))
        db.session.commit()
        flash(
            _("Confirmed participants now see the participant list.")
            if form.visible.data
            else _("The participant list is hidden from participants."),
            "success",
        )
    else:
        flash_form_errors(form)
    return redirect(url_for("registrations.roster", event_id=event_id) + "#answers-heading")


@questions.get("/manage/events/<int:event_id>/registrations.xlsx")
@coordinator_required
def roster_xlsx(event_id: int):
    event = db.get_or_404(Event, event_id)
    return Response(
        roster_workbook(event),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{roster_xlsx_filename(event)}"'},
    )


# --- participants ----------------------------------------------------------------------


def _my_registration_or_404(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not can_view(event, current_user):
        abort(404)
    registration = active_registration(event.id, current_user.id)
    if registration is None:
        abort(404)
    return event, registration


@questions.route("/events/<int:event_id>/my-answers", methods=["GET", "POST"])
@login_required
def my_answers(event_id: int):
    event, registration = _my_registration_or_404(event_id)
    asked = questions_asked(event, registration.participant_role_id)
    form = ChangeAnswersForm()
    status = 200
    if form.validate_on_submit():
        sheet = read_answers(asked, sent_answers(asked, request.form))
        try:
            change_answers(registration, sheet)
        except QuestionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            status = 422
        else:
            db.session.commit()
            flash(_("Your answers are saved."), "success")
            return redirect(url_for("questions.my_answers", event_id=event_id))
    else:
        if form.is_submitted():
            flash_form_errors(form)
        sheet = stored_sheet(asked, registration)
    listing_form = ListingForm(prefix="listing")
    listing_form.listed.data = is_listed(registration.id)
    return render_template(
        "questions/my_answers.html",
        event=event,
        registration=registration,
        sheet=sheet,
        form=form,
        listing_form=listing_form,
        may_change=may_change_answers(event),
        closes_at=answers_close_at(event),
        list_visible=participant_list_visible(event.id),
    ), status


@questions.post("/events/<int:event_id>/participant-list/me")
@login_required
def my_listing(event_id: int):
    event, registration = _my_registration_or_404(event_id)
    form = ListingForm(prefix="listing")
    if form.validate_on_submit():
        set_listed(registration, bool(form.listed.data))
        db.session.commit()
        flash(
            _("You appear on the participant list.")
            if form.listed.data
            else _("You do not appear on the participant list."),
            "success",
        )
    else:
        flash_form_errors(form)
    if request.form.get("back") == "event":
        return redirect(url_for("events.detail", event_id=event_id))
    return redirect(url_for("questions.my_answers", event_id=event_id))


# --- feedback after the event ----------------------------------------------------------


@questions.route("/manage/events/<int:event_id>/feedback", methods=["GET", "POST"])
@coordinator_required
def feedback_manage(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = _question_form(event, prefix="new")
    if form.validate_on_submit():
        try:
            question = add_question(
                Owner("event", event.id), form.question_data(), QuestionPurpose.feedback
            )
        except QuestionError as exc:
            db.session.rollback()
            form.label.errors.append(str(exc))
        else:
            label = question.label
            db.session.commit()
            flash(_("Question added: %(label)s", label=label), "success")
            return _questions_page(event_id, QuestionPurpose.feedback)
    summaries, responded, asked = feedback_results(event)
    return render_template(
        "questions/feedback_manage.html",
        event=event,
        feedback_questions=feedback_questions(event),
        form=form,
        survey=survey_for(event),
        summaries=summaries,
        responded=responded,
        asked=asked,
        to_ask=len(invitable(event)),
        by_attendance=attendance_taken(event),
        is_over=utcnow() >= event.ends_at,
        answer_count=answer_count,
    ), (422 if form.errors else 200)


@questions.route("/manage/events/<int:event_id>/feedback/send", methods=["GET", "POST"])
@coordinator_required
def feedback_send(event_id: int):
    event = db.get_or_404(Event, event_id)
    survey = survey_for(event)
    form = SendSurveyForm()
    if not form.is_submitted():
        form.anonymous.data = survey.anonymous
    if form.validate_on_submit():
        try:
            count = send_survey(event, anonymous=bool(form.anonymous.data))
        except QuestionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The survey is on its way to %(num)d person(s).",
                    "The survey is on its way to %(num)d person(s).",
                    count,
                ),
                "success",
            )
        return _questions_page(event_id, QuestionPurpose.feedback)
    return render_template(
        "questions/feedback_send.html",
        event=event,
        form=form,
        survey=survey,
        to_ask=len(invitable(event)),
        by_attendance=attendance_taken(event),
        days=LINK_DAYS,
    )


@questions.get("/manage/events/<int:event_id>/feedback.csv")
@coordinator_required
def feedback_csv(event_id: int):
    event = db.get_or_404(Event, event_id)
    filename = f"feedback-{event.id}-{event.local_start:%Y-%m-%d}.csv"
    return Response(
        feedback_as_csv(event),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@questions.route("/feedback/<token>", methods=["GET", "POST"])
def feedback(token: str):
    """The survey a mailed link opens; no login needed, the link is the key."""
    invitation = invitation_for_token(token)
    if invitation is None:
        return render_template("questions/feedback_invalid.html"), 404
    event = invitation_event(invitation)
    asked = feedback_questions(event)
    form = FeedbackForm()
    survey = survey_for(event)
    sheet = AnswerSheet(asked, {})
    status = 200
    if not invitation.responded and form.validate_on_submit():
        sheet = read_answers(asked, sent_answers(asked, request.form))
        try:
            submit_feedback(invitation, sheet)
        except QuestionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            status = 422
        else:
            db.session.commit()
            flash(_("Thank you: your feedback is in."), "success")
            return redirect(url_for("questions.feedback", token=token))
    elif form.is_submitted() and not invitation.responded:
        flash_form_errors(form)
        status = 400
    return render_template(
        "questions/feedback.html",
        event=event,
        sheet=sheet,
        form=form,
        survey=survey,
        done=invitation.responded,
    ), status


@questions.app_context_processor
def inject_question_helpers():
    """What the event page, the registration panel and the roster ask of questions."""

    def viewer():
        return current_user if current_user.is_authenticated else None

    def registration_questions(event):
        person = viewer()
        role_id = person.participant_role_id if person else None
        return questions_asked(event, role_id)

    def participants_for(event):
        """The participant list for the viewer (and whether they have a place), or None
        when they may not see it: only confirmed participants and coordinators do."""
        person = viewer()
        if person is None or not participant_list_visible(event.id):
            return None
        registration = active_registration(event.id, person.id)
        confirmed = registration is not None and registration.status is RegistrationStatus.confirmed
        if not confirmed and not person.is_coordinator:
            return None
        return {"groups": participant_list(event), "registered": registration is not None}

    def my_question_panel(event, registration):
        return {
            "asked": questions_asked(event, registration.participant_role_id),
            "list_visible": participant_list_visible(event.id),
            "listed": is_listed(registration.id),
            "listing_form": ListingForm(prefix="listing"),
        }

    def question_overview(event):
        setting_form = ParticipantListSettingForm(prefix="plist")
        setting_form.visible.data = participant_list_visible(event.id)
        return {
            "questions": questions_for(event),
            "summaries": answer_summaries(event),
            "answers": answers_by_registration(event),
            "listed": listed_registrations(event),
            "setting_form": setting_form,
        }

    return {
        "registration_questions": registration_questions,
        "participants_for": participants_for,
        "my_question_panel": my_question_panel,
        "question_overview": question_overview,
        "answer_text": answer_text,
        "QuestionKind": QuestionKind,
        "listing_allowed": participant_list_visible,
    }
