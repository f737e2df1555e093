"""Use cases of the dossier. Every write goes here.

Each function is keyword-only, checks the access policy, runs in one transaction and
writes its audit row inside it. Nothing is deleted: a correction is a new contribution
that supersedes the earlier one, which stays readable.

Attachments are checked **before** anything is written: a refused file leaves neither a
row nor a file behind. Accepted files are stored through the default storage (outside
the web root) under a random name; should the transaction fail after a file was stored,
the file is removed again.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.cases.models import Case, CaseMember, Stage
from ketenplan.core import policy
from ketenplan.core.exceptions import ConflictError

from .filetypes import Kind, kind_for_extension, sniff
from .models import Attachment, Contribution, InformationRequest

logger = logging.getLogger(__name__)

DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_ATTACHMENT_MAX_FILES = 10
ACCEPTED_TYPES_TEXT = "PDF, PNG, JPEG, GIF, WebP, docx, xlsx, pptx, odt, ods, doc, xls"


def attachment_max_bytes() -> int:
    """The largest attachment accepted (setting ``ATTACHMENT_MAX_BYTES``, read per call)."""
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


def attachment_max_files() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_FILES", DEFAULT_ATTACHMENT_MAX_FILES))


# --- Attachments: checking and storing -------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    original_name: str
    extension: str
    kind: Kind
    size: int
    sha256: str


_FORBIDDEN_NAME_CHARACTERS = set('"\\/<>:|?*;')


def clean_original_name(name: str | None) -> str:
    """The uploaded name as shown to users: no directories, no control or quoting
    characters, at most 200 characters (keeping the extension)."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in _FORBIDDEN_NAME_CHARACTERS)
    name = " ".join(name.split()).strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 199 - len(extension)]}.{extension}" if dot and len(extension) <= 10 else name[:200]
    return name or "document"


def check_upload(upload) -> CheckedFile:
    """Accept the upload only when its content is an accepted type that matches its
    extension and it is not too big; raises ``ValidationError`` otherwise."""
    name = clean_original_name(getattr(upload, "name", ""))
    max_bytes = attachment_max_bytes()
    if (upload.size or 0) > max_bytes:
        raise ValidationError(
            _("%(name)s is too big (%(size)s); a document may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)}
        )
    if not upload.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    expected = kind_for_extension(extension)
    if expected is None:
        raise ValidationError(
            _("%(name)s is not a type of document that can be added. Accepted: %(types)s.")
            % {"name": name, "types": ACCEPTED_TYPES_TEXT}
        )
    found = sniff(upload)
    if found is None:
        raise ValidationError(
            _(
                "The content of %(name)s is not a document of an accepted type "
                "(%(types)s). Executables, web pages, scripts and archives are refused."
            )
            % {"name": name, "types": ACCEPTED_TYPES_TEXT}
        )
    if found != expected.key:
        raise ValidationError(
            _("The content of %(name)s does not match its extension .%(extension)s.")
            % {"name": name, "extension": extension}
        )
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size > max_bytes:
        raise ValidationError(
            _("%(name)s is too big; a document may be at most %(max)s.")
            % {"name": name, "max": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        original_name=name,
        extension=extension,
        kind=expected,
        size=size,
        sha256=digest.hexdigest(),
    )


def _check_files(files: Iterable) -> tuple[list[CheckedFile], list[str]]:
    files = [f for f in files or () if f]
    errors: list[str] = []
    if len(files) > attachment_max_files():
        errors.append(_("Add at most %(count)d documents at a time.") % {"count": attachment_max_files()})
        return [], errors
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    return checked, errors


@contextmanager
def _remove_stored_files_on_error() -> Iterator[list[str]]:
    """Files stored by the block are removed again when the block fails (the
    transaction rolled back, so no row points at them)."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            try:
                default_storage.delete(name)
            except OSError:  # pragma: no cover - logged, an orphan file reaches nobody
                logger.exception("Could not remove the stored file %s after a failure.", name)
        raise


def _store_attachment(
    checked: CheckedFile, *, actor, case: Case, contribution: Contribution, stored: list[str], request
) -> Attachment:
    attachment = Attachment(
        case=case,
        contribution=contribution,
        original_name=checked.original_name,
        content_type=checked.kind.mime,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        organisation_id=actor.organisation_id,
    )
    # A random name on disk: nothing of the user's file name reaches the file system.
    attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", checked.upload, save=False)
    stored.append(attachment.file.name)
    attachment.save()
    audit_record(
        action="dossier.attachment_added",
        actor=actor,
        request=request,
        obj=attachment,
        detail={
            "case": case.pk,
            "contribution": contribution.pk,
            "content_type": checked.kind.mime,
            "size": checked.size,
            "sha256": checked.sha256,
        },
    )
    return attachment


# --- Contributions --------------------------------------------------------------------


def _require_open_case(actor, case: Case, action: str) -> None:
    """Participants of a closed case learn why they cannot add; others get "not found"."""
    policy.require(actor, "dossier.view", case)
    if case.is_closed:
        raise ValidationError(_("The case is closed; nothing can be added to its dossier."))
    policy.require(actor, action, case)


def _lock_open_case(case: Case) -> None:
    """Lock the case row so it cannot close while something is being added."""
    stage = Case.objects.select_for_update().filter(pk=case.pk).values_list("stage", flat=True).get()
    if stage == Stage.CLOSED:
        raise ValidationError(_("The case is closed; nothing can be added to its dossier."))


def _check_member(case: Case, person, errors: dict, field: str = "about_person") -> None:
    if person is not None and not CaseMember.objects.filter(case=case, person=person).exists():
        errors[field] = _("%(person)s is not a member of this family.") % {"person": person}


def _contribution_errors(
    *, case: Case, life_domain, text: str, occurred_on: date | None, source: str, about_person
) -> dict:
    errors: dict = {}
    if life_domain is None or not life_domain.is_active:
        errors["life_domain"] = _("Choose a life domain.")
    if not (text or "").strip():
        errors["text"] = _("Write down the information.")
    if occurred_on is None:
        errors["occurred_on"] = _("Give the date of the information.")
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date of the information cannot lie in the future.")
    if not (source or "").strip():
        errors["source"] = _("Say where the information comes from.")
    _check_member(case, about_person, errors)
    return errors


def contribution_add(
    *,
    actor,
    case: Case,
    life_domain,
    text: str,
    occurred_on: date,
    source: str,
    about_person=None,
    files: Iterable = (),
    request=None,
) -> Contribution:
    """A participating organisation adds what it knows, filed under a life domain,
    optionally about one person of the family, with documents."""
    _require_open_case(actor, case, "dossier.contribute")
    errors = _contribution_errors(
        case=case,
        life_domain=life_domain,
        text=text,
        occurred_on=occurred_on,
        source=source,
        about_person=about_person,
    )
    checked, file_errors = _check_files(files)
    if file_errors:
        errors["files"] = file_errors
    if errors:
        raise ValidationError(errors)
    with _remove_stored_files_on_error() as stored, transaction.atomic():
        _lock_open_case(case)
        contribution = Contribution.objects.create(
            case=case,
            about_person=about_person,
            life_domain=life_domain,
            organisation_id=actor.organisation_id,
            author=actor,
            text=text.strip(),
            occurred_on=occurred_on,
            source=source.strip(),
        )
        attachments = [
            _store_attachment(
                c, actor=actor, case=case, contribution=contribution, stored=stored, request=request
            )
            for c in checked
        ]
        audit_record(
            action="dossier.contribution_added",
            actor=actor,
            request=request,
            obj=contribution,
            detail={
                "case": case.pk,
                "life_domain": life_domain.key,
                "about_person": getattr(about_person, "pk", None),
                "attachments": [a.pk for a in attachments],
            },
        )
    return contribution


_UNCHANGED = object()


def contribution_correct(
    *,
    actor,
    original: Contribution,
    text: str,
    reason: str,
    occurred_on: date | object = _UNCHANGED,
    source: str | object = _UNCHANGED,
    life_domain=_UNCHANGED,
    about_person=_UNCHANGED,
    files: Iterable = (),
    drop_attachments: Iterable = (),
    request=None,
) -> Contribution:
    """The contributing organisation corrects its contribution: a new version that
    supersedes ``original``; the earlier version stays readable.

    ``original`` must still be the current version: when someone corrected it in the
    meantime, ``ConflictError`` names who and when (optimistic locking).
    ``drop_attachments`` leaves documents out of the new version (the earlier version
    keeps them); ``files`` adds new ones.
    """
    policy.require(actor, "dossier.view_contribution", original)
    case = original.case
    if not policy.can(actor, "dossier.correct_contribution", original):
        if not original.is_current:
            raise _corrected_meanwhile(original)
        if case.is_closed:
            raise ValidationError(_("The case is closed; its dossier can no longer be changed."))
        raise PermissionDenied(_("Only the organisation that contributed this can correct it."))
    values = {
        "occurred_on": original.occurred_on if occurred_on is _UNCHANGED else occurred_on,
        "source": original.source if source is _UNCHANGED else source,
        "life_domain": original.life_domain if life_domain is _UNCHANGED else life_domain,
        "about_person": original.about_person if about_person is _UNCHANGED else about_person,
    }
    errors = _contribution_errors(case=case, text=text, **values)
    if not (reason or "").strip():
        errors["reason"] = _("Say why the information is corrected.")
    dropped_ids = {getattr(a, "pk", a) for a in drop_attachments or ()}
    current_attachments = list(original.attachments.all())
    kept = [a for a in current_attachments if a.pk not in dropped_ids]
    if dropped_ids - {a.pk for a in current_attachments}:
        errors["drop_attachments"] = _("Only documents of this contribution can be left out.")
    checked, file_errors = _check_files(files)
    if file_errors:
        errors["files"] = file_errors
    unchanged = (
        not checked
        and not dropped_ids
        and (text or "").strip() == original.text
        and str(values["source"]).strip() == original.source
        and values["occurred_on"] == original.occurred_on
        and getattr(values["life_domain"], "pk", None) == original.life_domain_id
        and getattr(values["about_person"], "pk", None) == original.about_person_id
    )
    if unchanged:
        errors["text"] = _("Nothing was changed.")
    if errors:
        raise ValidationError(errors)
    with _remove_stored_files_on_error() as stored, transaction.atomic():
        _lock_open_case(case)
        locked = Contribution.objects.select_for_update().get(pk=original.pk)
        if not locked.is_current:
            raise _corrected_meanwhile(locked)
        Contribution.objects.filter(pk=locked.pk).update(is_current=False)
        original.is_current = False
        correction = Contribution.objects.create(
            case=case,
            about_person=values["about_person"],
            life_domain=values["life_domain"],
            organisation_id=actor.organisation_id,
            author=actor,
            text=text.strip(),
            occurred_on=values["occurred_on"],
            source=str(values["source"]).strip(),
            supersedes=locked,
            correction_reason=reason.strip(),
        )
        # Kept documents are listed again under the new version; the stored file is
        # shared, nothing is copied or removed.
        Attachment.objects.bulk_create(
            Attachment(
                case=case,
                contribution=correction,
                file=a.file.name,
                original_name=a.original_name,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                uploaded_by_id=a.uploaded_by_id,
                organisation_id=a.organisation_id,
                uploaded_at=a.uploaded_at,
            )
            for a in kept
        )
        added = [
            _store_attachment(
                c, actor=actor, case=case, contribution=correction, stored=stored, request=request
            )
            for c in checked
        ]
        audit_record(
            action="dossier.contribution_corrected",
            actor=actor,
            request=request,
            obj=correction,
            detail={
                "case": case.pk,
                "supersedes": locked.pk,
                "attachments_added": [a.pk for a in added],
                "attachments_left_out": sorted(dropped_ids),
            },
        )
    return correction


def _corrected_meanwhile(contribution: Contribution) -> ConflictError:
    successor = Contribution.objects.select_related("author").filter(supersedes=contribution).first()
    return ConflictError(
        changed_by=getattr(successor, "author", None),
        changed_at=getattr(successor, "created_at", None),
    )


# --- Reads that are recorded ------------------------------------------------------------


def _purpose(actor, case) -> str:
    """Normal work, or emergency access (no query when the case came from a selector)."""
    from ketenplan.consent.policy import access_purpose

    return access_purpose(actor, case)


@transaction.atomic
def dossier_view_record(*, actor, case: Case, request=None) -> None:
    """Record that ``actor`` read the dossier of ``case`` (audit of reads)."""
    policy.require(actor, "dossier.view", case)
    audit_record(
        action="dossier.viewed", actor=actor, request=request, obj=case, purpose=_purpose(actor, case)
    )


@transaction.atomic
def contribution_view_record(*, actor, contribution: Contribution, request=None) -> None:
    """Record that ``actor`` read a contribution and its history (audit of reads)."""
    policy.require(actor, "dossier.view_contribution", contribution)
    audit_record(
        action="dossier.contribution_viewed",
        actor=actor,
        request=request,
        obj=contribution,
        purpose=_purpose(actor, contribution.case),
        detail={"case": contribution.case_id, "about": contribution.about_person_id},
    )


@transaction.atomic
def attachment_open(*, actor, attachment: Attachment, request=None):
    """Open a document for download, after the policy allowed it; every download is
    recorded. Returns an open file; the caller streams and closes it."""
    policy.require(actor, "dossier.download_attachment", attachment)
    audit_record(
        action="dossier.attachment_downloaded",
        actor=actor,
        request=request,
        obj=attachment,
        purpose=_purpose(actor, attachment.case),
        detail={"case": attachment.case_id, "contribution": attachment.contribution_id},
    )
    return default_storage.open(attachment.file.name, "rb")


@transaction.atomic
def information_request_view_record(*, actor, request_obj: InformationRequest, request=None) -> None:
    policy.require(actor, "dossier.view_request", request_obj)
    audit_record(
        action="dossier.request_viewed",
        actor=actor,
        request=request,
        obj=request_obj,
        detail={"case": request_obj.case_id},
    )


# --- Information requests ---------------------------------------------------------------


def information_request_create(
    *,
    actor,
    case: Case,
    to_organisation,
    question: str,
    due_on: date,
    about_person=None,
    request=None,
) -> InformationRequest:
    """Ask a named organisation of the region for information, with a due date.

    The addressed organisation does not join the case: it sees this request (and the
    case's reference and family name) and answers it, nothing else of the dossier.
    """
    _require_open_case(actor, case, "dossier.request_information")
    errors: dict = {}
    if to_organisation is None:
        errors["to_organisation"] = _("Choose the organisation you ask.")
    elif to_organisation.region_id != case.region_id:
        errors["to_organisation"] = _("This organisation works in another region.")
    elif not to_organisation.has_signed_agreement:
        errors["to_organisation"] = _(
            "%(org)s has not signed the cooperation agreement and cannot receive requests."
        ) % {"org": to_organisation}
    elif to_organisation.pk == actor.organisation_id:
        errors["to_organisation"] = _("Ask another organisation than your own.")
    if not (question or "").strip():
        errors["question"] = _("Write down your question.")
    if due_on is None:
        errors["due_on"] = _("Give the date by which you need the answer.")
    elif due_on <= timezone.localdate():
        errors["due_on"] = _("The due date must lie in the future.")
    _check_member(case, about_person, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_open_case(case)
        now = timezone.now()
        request_obj = InformationRequest.objects.create(
            case=case,
            to_organisation=to_organisation,
            about_person=about_person,
            question=question.strip(),
            due_on=due_on,
            requested_by=actor,
            requested_at=now,
            updated_by=actor,
            updated_at=now,
        )
        audit_record(
            action="dossier.request_created",
            actor=actor,
            request=request,
            obj=request_obj,
            detail={"case": case.pk, "to_organisation": to_organisation.pk},
        )
    return request_obj


def _lock_request(request_obj: InformationRequest, expected_version: int | None) -> InformationRequest:
    fresh = (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("case", "requested_by", "updated_by")
        .get(pk=request_obj.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(
            changed_by=fresh.updated_by, changed_at=fresh.updated_at, current_version=fresh.version
        )
    return fresh


def _refuse(actor, fresh: InformationRequest, action: str, not_allowed: str) -> None:
    if policy.can(actor, action, fresh):
        return
    if fresh.status not in InformationRequest.OPEN_STATUSES:
        raise ValidationError(
            _("This request is no longer open: it was %(status)s.")
            % {"status": fresh.get_status_display().lower()}
        )
    if fresh.case.is_closed:
        raise ValidationError(_("The case is closed."))
    raise PermissionDenied(not_allowed)


def _close_request(
    *,
    actor,
    request_obj: InformationRequest,
    expected_version: int | None,
    action: str,
    not_allowed: str,
    changes: dict,
    audit_action: str,
    request,
) -> InformationRequest:
    policy.require(actor, "dossier.view_request", request_obj)
    with transaction.atomic():
        fresh = _lock_request(request_obj, expected_version)
        _refuse(actor, fresh, action, not_allowed)
        now = timezone.now()
        changes = {**changes, "updated_by": actor, "updated_at": now, "version": fresh.version + 1}
        if changes.get("status") == InformationRequest.Status.ANSWERED:
            changes.update(answered_by=actor, answered_at=now)
        for field, value in changes.items():
            setattr(fresh, field, value)
        fresh.save(update_fields=list(changes))
        audit_record(
            action=audit_action,
            actor=actor,
            request=request,
            obj=fresh,
            detail={"case": fresh.case_id, "to_organisation": fresh.to_organisation_id},
        )
    return fresh


def information_request_answer(
    *, actor, request_obj: InformationRequest, answer: str, expected_version: int | None, request=None
) -> InformationRequest:
    """A professional of the addressed organisation answers."""
    if not (answer or "").strip():
        policy.require(actor, "dossier.view_request", request_obj)
        raise ValidationError({"answer": _("Write down your answer.")})
    return _close_request(
        actor=actor,
        request_obj=request_obj,
        expected_version=expected_version,
        action="dossier.answer_request",
        not_allowed=_("Only the organisation that was asked can answer."),
        changes={"status": InformationRequest.Status.ANSWERED, "answer": answer.strip()},
        audit_action="dossier.request_answered",
        request=request,
    )


def information_request_decline(
    *, actor, request_obj: InformationRequest, reason: str, expected_version: int | None, request=None
) -> InformationRequest:
    """The addressed organisation declines, saying why (e.g. no legal basis to share)."""
    if not (reason or "").strip():
        policy.require(actor, "dossier.view_request", request_obj)
        raise ValidationError({"reason": _("Say why you decline the request.")})
    return _close_request(
        actor=actor,
        request_obj=request_obj,
        expected_version=expected_version,
        action="dossier.answer_request",
        not_allowed=_("Only the organisation that was asked can decline."),
        changes={"status": InformationRequest.Status.DECLINED, "status_reason": reason.strip()},
        audit_action="dossier.request_declined",
        request=request,
    )


def information_request_withdraw(
    *, actor, request_obj: InformationRequest, reason: str, expected_version: int | None, request=None
) -> InformationRequest:
    """The asking organisation withdraws its request."""
    if not (reason or "").strip():
        policy.require(actor, "dossier.view_request", request_obj)
        raise ValidationError({"reason": _("Say why you withdraw the request.")})
    return _close_request(
        actor=actor,
        request_obj=request_obj,
        expected_version=expected_version,
        action="dossier.withdraw_request",
        not_allowed=_("Only the organisation that asked can withdraw the request."),
        changes={"status": InformationRequest.Status.WITHDRAWN, "status_reason": reason.strip()},
        audit_action="dossier.request_withdrawn",
        request=request,
    )


@transaction.atomic
def information_requests_close_with_case(*, actor, case: Case, request=None) -> int:
    """Withdraw the requests still open when ``case`` closes (call it from the closure
    service, in its transaction, once the user confirmed closing with open requests).
    Returns how many were withdrawn."""
    policy.require(actor, "dossier.view", case)
    now = timezone.now()
    withdrawn = 0
    for request_obj in InformationRequest.objects.select_for_update().filter(
        case=case, status__in=InformationRequest.OPEN_STATUSES
    ):
        request_obj.status = InformationRequest.Status.WITHDRAWN
        request_obj.status_reason = _("The case was closed.")
        request_obj.updated_by, request_obj.updated_at = actor, now
        request_obj.version += 1
        request_obj.save(update_fields=["status", "status_reason", "updated_by", "updated_at", "version"])
        audit_record(
            action="dossier.request_withdrawn",
            actor=actor,
            request=request,
            obj=request_obj,
            detail={"case": case.pk, "to_organisation": request_obj.to_organisation_id, "closure": True},
        )
        withdrawn += 1
    return withdrawn
