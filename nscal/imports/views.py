"""Coordinators' import page with a preview: /manage/import.

Upload → preview (a dry run: each component imported as is, with a note, or refused
with its line and reason) → confirm: all of it, or, when some are refused, "Import the
N valid ones, skip M". Between preview and confirm the file's text travels in a hidden
field, signed with the app's secret key (no temporary files on the server, so any
worker can take the confirm).

The preview also shows what nscal guessed for each component (kind, host city, zone,
format, and where each came from) as selects in the confirm form. The guesses shown
are signed with the file; on confirm, a select whose value differs from the signed
guess is a correction (checked against what the selects offer), and the file is read
again with the corrections applied (``parse_import(..., corrections)``).
"""

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from nscal.accounts.permissions import coordinator_required
from nscal.cities.models import City
from nscal.db import db
from nscal.events.models import EventFormat, EventKind
from nscal.imports.applying import apply_import
from nscal.imports.forms import (
    CorrectionError,
    ImportConfirmForm,
    ImportUploadForm,
    correction_field,
    read_corrections,
)
from nscal.imports.guesses import FIELD_LABELS, FIELDS
from nscal.imports.plan import ImportFileError
from nscal.imports.reading import MAX_IMPORT_BYTES, decode_import, parse_import
from nscal.timeutil import NORDIC_ZONES, zone_choice_label
from nscal.web import flash_form_errors

imports = Blueprint("imports", __name__, url_prefix="/manage/import")

# The module's old home; kept so a preview signed before a deploy still confirms.
PAYLOAD_SALT = "nscal.events.import"
PAYLOAD_MAX_AGE = 3600  # seconds between preview and confirm
# Room for the 2 MB file (or its signed text on confirm) and the form around it.
REQUEST_LIMIT = MAX_IMPORT_BYTES * 3 // 2


@imports.url_value_preprocessor
def _allow_import_sized_requests(_endpoint, _values):
    # URL value preprocessors run before every before_request hook, CSRFProtect's
    # included, and that hook is what first reads the body: the limits must be set now.
    request.max_content_length = REQUEST_LIMIT
    request.max_form_memory_size = REQUEST_LIMIT


def _coordinator():
    return current_user._get_current_object()  # the User itself, not the proxy


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=PAYLOAD_SALT)


@imports.get("/")
@coordinator_required
def upload():
    return render_template("manage/import/upload.html", form=ImportUploadForm())


@imports.post("/")
@coordinator_required
def preview():
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return render_template("manage/import/upload.html", form=form), 400
    upload = form.file.data
    try:
        text, encoding_note = decode_import(upload.read())
        plan = parse_import(text, upload.filename)
    except ImportFileError as exc:
        form.file.errors.append(str(exc))
        return render_template("manage/import/upload.html", form=form), 400
    if encoding_note:
        plan.note(1, encoding_note)
    report = apply_import(plan, publish=form.publish.data, dry_run=True, created_by=_coordinator())
    db.session.rollback()
    verdicts = report.verdicts
    refused = {component.line for component in verdicts.refused}
    shown = {
        str(line): {name: guesses[name].value for name in FIELDS}
        for line, guesses in report.guesses.items()
        if line not in refused
    }
    signed = {
        "name": plan.source,
        "text": text,
        "publish": bool(form.publish.data),
        "guesses": shown,
    }
    confirm = confirm_url = None
    if report.ok or (verdicts.refused and verdicts.valid):
        confirm = ImportConfirmForm(formdata=None)
        if report.ok:
            confirm_url = url_for(".confirm")
        else:
            # The lines to skip are signed too: the import skips what the preview showed.
            signed["skip"] = sorted(refused)
            confirm_url = url_for(".confirm_valid")
        confirm.payload.data = _serializer().dumps(signed)
    return render_template(
        "manage/import/preview.html",
        report=report,
        publish=form.publish.data,
        confirm=confirm,
        confirm_url=confirm_url,
        guesses=_guess_rows(report, refused),
        form=ImportUploadForm(formdata=None),
    )


def _guess_rows(report, refused: set[int]) -> list[dict]:
    """What the preview shows per component: its guesses, each with its choices."""
    kinds = [(kind.value, kind.label) for kind in EventKind]
    formats = [(event_format.value, event_format.label) for event_format in EventFormat]
    cities = [("", _("No host city"))] + [
        (city.slug, city.name)
        for city in db.session.execute(sa.select(City).order_by(City.name)).scalars()
    ]
    nordic = [(zone, zone_choice_label(zone, label)) for zone, label in NORDIC_ZONES]
    nordic.append(("UTC", "UTC"))
    rows = []
    for line, guesses in sorted(report.guesses.items()):
        if line in refused:
            continue
        fields = []
        for name in FIELDS:
            guess = guesses[name]
            if name == "timezone":
                choices = nordic + [(guess.value, guess.value)] * (guess.value not in dict(nordic))
            else:
                choices = {"kind": kinds, "format": formats, "host_city": cities}[name]
            fields.append(
                {
                    "name": correction_field(line, name),
                    "label": str(FIELD_LABELS[name]),
                    "guess": guess,
                    "choices": choices,
                }
            )
        rows.append({"line": line, "title": report.titles.get(line, ""), "fields": fields})
    return rows


@imports.post("/confirm")
@coordinator_required
def confirm():
    payload = _signed_payload()
    if payload is None:
        return redirect(url_for(".upload"))
    plan = _corrected_plan(payload)
    if plan is None:
        return redirect(url_for(".upload"))
    report = apply_import(plan, publish=payload["publish"], created_by=_coordinator())
    if not report.ok:
        # Something changed in nscal since the preview; show what, import nothing.
        return _changed_since_preview(report, payload, corrected=plan.corrected)
    db.session.commit()
    flash(f"{payload['name']}: {report.summary()}", "success")
    return redirect(url_for(".upload"))


@imports.post("/confirm-valid")
@coordinator_required
def confirm_valid():
    """Import the valid components and skip the refused ones the preview listed."""
    payload = _signed_payload()
    if payload is None:
        return redirect(url_for(".upload"))
    plan = _corrected_plan(payload)
    if plan is None:
        return redirect(url_for(".upload"))
    report = apply_import(
        plan,
        publish=payload["publish"],
        skip_invalid=True,
        agreed_skip=payload.get("skip", []),
        created_by=_coordinator(),
    )
    if not report.kept:
        # Other components are refused now than in the preview: import nothing.
        return _changed_since_preview(report, payload, corrected=plan.corrected)
    db.session.commit()
    flash(f"{payload['name']}: {report.summary()}", "success")
    return redirect(url_for(".upload"))


def _signed_payload() -> dict | None:
    """The confirmed preview's file, or None (with a message) when it cannot be trusted."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return None
    try:
        return _serializer().loads(form.payload.data, max_age=PAYLOAD_MAX_AGE)
    except BadSignature:
        flash(_("The preview has expired or was changed. Please upload the file again."), "error")
        return None


def _corrected_plan(payload: dict):
    """The signed file read again with the coordinator's corrections, or None (with a
    message) when a select holds what the preview did not offer."""
    try:
        corrections = read_corrections(request.form, payload.get("guesses", {}))
    except CorrectionError as exc:
        flash(_("%(problem)s Please upload the file again.", problem=exc), "error")
        return None
    plan = parse_import(payload["text"], payload["name"], corrections)
    plan.corrected = bool(corrections)
    return plan


def _changed_since_preview(report, payload: dict, *, corrected: bool = False):
    db.session.rollback()
    return render_template(
        "manage/import/preview.html",
        report=report,
        publish=payload["publish"],
        confirm=None,
        confirm_url=None,
        guesses=_guess_rows(report, {component.line for component in report.verdicts.refused}),
        changed=True,
        corrected=corrected,
        form=ImportUploadForm(formdata=None),
    ), 409
