"""Dossier use cases: contributions and their corrections, documents, information requests."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Participation, Stage
from ketenplan.cases.tests.factories import case_at
from ketenplan.core.exceptions import ConflictError
from ketenplan.dossier import selectors, services
from ketenplan.dossier.models import Attachment, Contribution, InformationRequest
from ketenplan.persons.models import Person

from . import files
from .conftest import give_consent, stored_files

pytestmark = pytest.mark.django_db


def add(world, case, domain, actor=None, **kwargs):
    values = {
        "text": "Mother reports threats by phone since the exclusion order.",
        "occurred_on": case.registered_at.date(),
        "source": "Police report",
    }
    values.update(kwargs)
    return services.contribution_add(
        actor=actor or world.team_member, case=case, life_domain=domain, **values
    )


def audit_actions(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- Contributions ----------------------------------------------------------------------


def test_a_participant_adds_a_contribution_about_a_family_member(world, case, domains):
    mother = Person.objects.get(case_memberships__case=case, given_names="Sara")
    contribution = add(world, case, domains[0], about_person=mother)
    # Information about the mother reaches another organisation once she consents.
    assert list(selectors.case_contributions(user=world.referrer, case=case)) == []
    give_consent(world, case, mother)
    assert contribution.organisation == world.welfare
    assert contribution.author == world.team_member
    assert contribution.is_current and contribution.supersedes is None
    assert audit_actions(contribution) == ["dossier.contribution_added"]
    listed = selectors.case_contributions(user=world.referrer, case=case)
    assert list(listed) == [contribution]


def test_an_outsider_cannot_add_and_learns_nothing(world, case, domains):
    with pytest.raises(Http404):
        add(world, case, domains[0], actor=world.outsider)
    assert not Contribution.objects.exists()


def test_the_person_must_belong_to_the_family(world, case, domains):
    stranger_case = case_at(world, Stage.DOSSIER, family_label="Family Jansens")
    stranger = Person.objects.filter(case_memberships__case=stranger_case).first()
    with pytest.raises(ValidationError) as exc:
        add(world, case, domains[0], about_person=stranger)
    assert "about_person" in exc.value.message_dict


def test_empty_text_source_and_future_date_are_refused(world, case, domains, today):
    with pytest.raises(ValidationError) as exc:
        add(world, case, domains[0], text="  ", source="", occurred_on=today + timedelta(days=1))
    assert {"text", "source", "occurred_on"} <= set(exc.value.message_dict)


def test_nothing_is_added_to_a_closed_case(world, domains):
    closed = case_at(world, Stage.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        add(world, closed, domains[0], actor=world.case_director)


def test_a_correction_supersedes_and_keeps_the_earlier_version(world, case, domains):
    original = add(world, case, domains[0])
    correction = services.contribution_correct(
        actor=world.case_director,  # a colleague of the same organisation
        original=original,
        text="Mother reports threats by phone and text messages since the exclusion order.",
        reason="Text messages were left out.",
    )
    original.refresh_from_db()
    assert not original.is_current
    assert correction.is_current and correction.supersedes == original
    assert correction.correction_reason == "Text messages were left out."
    assert list(selectors.case_contributions(user=world.referrer, case=case)) == [correction]
    history = selectors.case_contributions(user=world.referrer, case=case, include_history=True)
    assert set(history) == {original, correction}
    versions = selectors.contribution_versions(user=world.referrer, contribution=original)
    assert versions == [correction, original]
    assert audit_actions(correction) == ["dossier.contribution_corrected"]


def test_another_organisation_cannot_correct(world, case, domains):
    original = add(world, case, domains[0])
    with pytest.raises(PermissionDenied):
        services.contribution_correct(
            actor=world.referrer, original=original, text="Other.", reason="Mine now."
        )
    original.refresh_from_db()
    assert original.is_current
    assert Contribution.objects.count() == 1


def test_an_outsider_cannot_correct(world, case, domains):
    original = add(world, case, domains[0])
    with pytest.raises(Http404):
        services.contribution_correct(actor=world.outsider, original=original, text="x", reason="y")


def test_correcting_an_earlier_version_is_a_conflict(world, case, domains):
    original = add(world, case, domains[0])
    services.contribution_correct(
        actor=world.team_member, original=original, text="First fix.", reason="Typo."
    )
    stale = Contribution.objects.get(pk=original.pk)
    with pytest.raises(ConflictError) as exc:
        services.contribution_correct(
            actor=world.case_director, original=stale, text="Second fix.", reason="Typo."
        )
    assert world.team_member.full_name in str(exc.value)
    assert Contribution.objects.count() == 2


def test_a_correction_needs_a_reason_and_a_change(world, case, domains):
    original = add(world, case, domains[0])
    with pytest.raises(ValidationError) as exc:
        services.contribution_correct(
            actor=world.team_member, original=original, text=original.text, reason=""
        )
    assert {"reason", "text"} <= set(exc.value.message_dict)


# --- Attachments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("aangifte.pdf", files.pdf(), "application/pdf"),
        ("foto.PNG", files.png(), "image/png"),
        (
            "verslag.docx",
            files.docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("oud verslag.doc", files.ole("WordDocument"), "application/msword"),
        (
            "budget.ods",
            files.odf("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
    ],
)
def test_accepted_documents_are_stored_with_their_fingerprint(
    world, case, domains, media, name, content, mime
):
    contribution = add(world, case, domains[0], files=[files.upload(name, content, "text/html")])
    attachment = contribution.attachments.get()
    assert attachment.original_name == name
    assert attachment.content_type == mime  # sniffed, not what the browser claimed
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    on_disk = stored_files(media)
    assert len(on_disk) == 1 and on_disk[0].read_bytes() == content
    # A random name on disk, nothing of the user's name; under the storage, not static.
    assert name.rsplit(".", 1)[0] not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")
    assert audit_actions(attachment) == ["dossier.attachment_added"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", files.pe_executable()),
        ("report.pdf", files.elf_executable()),
        ("report.pdf", files.html()),
        ("picture.png", files.svg()),
        ("page.html", files.html()),
        ("drawing.svg", files.svg()),
        ("script.js", b"alert(1)"),
        ("tool.exe", files.pe_executable()),
        ("report.docx", files.png()),
        ("report.docx", files.plain_zip()),
        ("report.docx", files.ooxml("xlsx")),
        ("report.xlsx", files.docx()),
        ("report.doc", files.ole("Workbook")),
        ("photo.jpg", files.png()),
        ("no-extension", files.pdf()),
        ("empty.pdf", b""),
    ],
)
def test_spoofed_or_unaccepted_files_are_refused_and_nothing_is_stored(
    world, case, domains, media, name, content
):
    good = files.upload("fine.pdf", files.pdf())
    with pytest.raises(ValidationError) as exc:
        add(world, case, domains[0], files=[good, files.upload(name, content, "application/pdf")])
    assert "files" in exc.value.message_dict
    assert stored_files(media) == []
    assert not Contribution.objects.exists()
    assert not Attachment.objects.exists()


def test_a_document_over_the_configured_size_is_refused(world, case, domains, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    big = files.pdf() + b"%" * 200
    with pytest.raises(ValidationError, match="too big"):
        add(world, case, domains[0], files=[files.upload("big.pdf", big)])
    assert stored_files(media) == []
    assert not Attachment.objects.exists()
    settings.ATTACHMENT_MAX_BYTES = len(big)
    add(world, case, domains[0], files=[files.upload("big.pdf", big)])
    assert Attachment.objects.count() == 1


def test_stored_files_are_removed_when_the_transaction_fails(world, case, domains, media, monkeypatch):
    def fail(**kwargs):
        if kwargs["action"] == "dossier.contribution_added":
            raise RuntimeError("database went away")
        return original_audit(**kwargs)

    original_audit = services.audit_record
    monkeypatch.setattr(services, "audit_record", fail)
    with pytest.raises(RuntimeError):
        add(
            world,
            case,
            domains[0],
            files=[files.upload("a.pdf", files.pdf()), files.upload("b.png", files.png())],
        )
    assert stored_files(media) == []
    assert not Attachment.objects.exists()


def test_hostile_file_names_are_cleaned(world, case, domains):
    contribution = add(
        world, case, domains[0], files=[files.upload('..\\..\\etc/"evil"\r\nname<x>.pdf', files.pdf())]
    )
    name = contribution.attachments.get().original_name
    assert name == "evilnamex.pdf"


def test_a_correction_keeps_documents_unless_left_out(world, case, domains, media):
    original = add(
        world,
        case,
        domains[0],
        files=[files.upload("a.pdf", files.pdf()), files.upload("b.png", files.png())],
    )
    a, b = original.attachments.order_by("pk")
    correction = services.contribution_correct(
        actor=world.team_member,
        original=original,
        text="Corrected.",
        reason="Wrong photo.",
        drop_attachments=[b],
        files=[files.upload("c.docx", files.docx())],
    )
    assert sorted(correction.attachments.values_list("original_name", flat=True)) == ["a.pdf", "c.docx"]
    assert correction.attachments.get(original_name="a.pdf").file.name == a.file.name  # shared, not copied
    assert sorted(original.attachments.values_list("original_name", flat=True)) == ["a.pdf", "b.png"]
    assert len(stored_files(media)) == 3


def test_downloading_is_allowed_to_participants_and_recorded(world, case, domains):
    contribution = add(world, case, domains[0], files=[files.upload("a.pdf", files.pdf())])
    attachment = contribution.attachments.get()
    handle = services.attachment_open(actor=world.referrer, attachment=attachment)
    with handle:
        assert handle.read() == files.pdf()
    assert audit_actions(attachment)[-1] == "dossier.attachment_downloaded"
    with pytest.raises(Http404):
        services.attachment_open(actor=world.outsider, attachment=attachment)


# --- Information requests ---------------------------------------------------------------


def ask(world, case, today, actor=None, **kwargs):
    values = {
        "to_organisation": world.addiction,
        "question": "Is the father known to your service, and since when?",
        "due_on": today + timedelta(days=14),
    }
    values.update(kwargs)
    return services.information_request_create(actor=actor or world.team_member, case=case, **values)


def test_an_information_request_is_answered_by_the_addressed_organisation(world, case, today):
    request_obj = ask(world, case, today)
    assert request_obj.status == InformationRequest.Status.OPEN and request_obj.version == 1
    # The addressed organisation does not join the case ...
    assert not Participation.objects.filter(case=case, organisation=world.addiction).exists()
    # ... but sees the request, and answers it.
    assert list(selectors.requests_to_my_organisation(user=world.outsider)) == [request_obj]
    assert list(selectors.open_requests_to_my_organisation(user=world.outsider)) == [request_obj]
    assert list(selectors.open_requests_to_my_organisation(user=world.case_director)) == []
    assert selectors.information_request_get(user=world.outsider, pk=request_obj.pk) == request_obj
    answered = services.information_request_answer(
        actor=world.outsider,
        request_obj=request_obj,
        answer="Known since 2023; in treatment.",
        expected_version=1,
    )
    assert answered.status == InformationRequest.Status.ANSWERED
    assert answered.answered_by == world.outsider and answered.answered_at is not None
    assert answered.version == 2
    assert audit_actions(answered) == ["dossier.request_created", "dossier.request_answered"]
    assert list(selectors.requests_to_my_organisation(user=world.outsider)) == []
    assert list(selectors.open_requests_to_my_organisation(user=world.outsider)) == []
    assert selectors.requests_to_my_organisation(user=world.outsider, status="all").get() == answered


def test_only_the_addressed_organisation_answers(world, case, today):
    request_obj = ask(world, case, today)
    with pytest.raises(PermissionDenied):
        services.information_request_answer(
            actor=world.referrer, request_obj=request_obj, answer="Not mine to give.", expected_version=1
        )
    with pytest.raises(Http404):
        services.information_request_answer(
            actor=world.unsigned, request_obj=request_obj, answer="?", expected_version=1
        )
    request_obj.refresh_from_db()
    assert request_obj.status == InformationRequest.Status.OPEN


def test_the_addressed_organisation_sees_no_other_part_of_the_dossier(world, case, domains, today):
    add(world, case, domains[0])
    ask(world, case, today)
    with pytest.raises(Http404):
        selectors.case_contributions(user=world.outsider, case=case)
    other = ask(
        world, case_at(world, Stage.DOSSIER, family_label="Family Maes"), today, to_organisation=world.shelter
    )
    with pytest.raises(Http404):
        selectors.information_request_get(user=world.outsider, pk=other.pk)


def test_decline_and_withdraw(world, case, today):
    declined = services.information_request_decline(
        actor=world.outsider,
        request_obj=ask(world, case, today),
        reason="No consent to share.",
        expected_version=1,
    )
    assert declined.status == InformationRequest.Status.DECLINED
    assert declined.status_reason == "No consent to share."
    second = ask(world, case, today)
    with pytest.raises(PermissionDenied):  # another participant, not the asking organisation
        services.information_request_withdraw(
            actor=world.referrer, request_obj=second, reason="x", expected_version=1
        )
    withdrawn = services.information_request_withdraw(
        actor=world.case_director, request_obj=second, reason="Found it ourselves.", expected_version=1
    )
    assert withdrawn.status == InformationRequest.Status.WITHDRAWN
    assert withdrawn.updated_by == world.case_director
    with pytest.raises(ValidationError, match="no longer open"):
        services.information_request_answer(
            actor=world.outsider, request_obj=withdrawn, answer="Late.", expected_version=withdrawn.version
        )


def test_a_stale_version_is_a_conflict_naming_who_changed_it(world, case, today):
    request_obj = ask(world, case, today)
    services.information_request_withdraw(
        actor=world.team_member, request_obj=request_obj, reason="Not needed.", expected_version=1
    )
    with pytest.raises(ConflictError) as exc:
        services.information_request_answer(
            actor=world.outsider, request_obj=request_obj, answer="Here it is.", expected_version=1
        )
    assert world.team_member.full_name in str(exc.value)
    assert exc.value.current_version == 2
    request_obj.refresh_from_db()
    assert request_obj.status == InformationRequest.Status.WITHDRAWN and request_obj.answer == ""


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("due_on", {"due_on": "today"}),
        ("question", {"question": " "}),
        ("to_organisation", {"to_organisation": "unsigned_org"}),
        ("to_organisation", {"to_organisation": "welfare"}),  # the asker's own organisation
        ("to_organisation", {"to_organisation": "elsewhere"}),
    ],
)
def test_bad_requests_are_refused(world, case, today, field, kwargs):
    from ketenplan.accounts.tests.factories import OrganisationFactory

    value = next(iter(kwargs.values()))
    if value == "today":
        kwargs = {"due_on": today}
    elif value == "elsewhere":
        kwargs = {"to_organisation": OrganisationFactory(agreement_signed_on=today - timedelta(days=10))}
    elif field == "to_organisation":
        kwargs = {"to_organisation": getattr(world, value)}
    with pytest.raises(ValidationError) as exc:
        ask(world, case, today, **kwargs)
    assert field in exc.value.message_dict
    assert not InformationRequest.objects.exists()


def test_overdue_requests_are_flagged(world, case, today):
    request_obj = ask(world, case, today)
    assert not request_obj.is_overdue
    InformationRequest.objects.filter(pk=request_obj.pk).update(due_on=today - timedelta(days=1))
    request_obj.refresh_from_db()
    assert request_obj.is_overdue


def test_an_open_request_blocks_closing_until_confirmed(world, today):
    from ketenplan.cases import services as case_services
    from ketenplan.cases.workflow import TransitionRefused

    case = case_at(world, Stage.EXECUTION)
    ask(world, case, today, actor=world.case_director)
    with pytest.raises(TransitionRefused):
        case_services.case_close(actor=world.case_director, case=case, outcome="goals_met")


def test_open_requests_are_withdrawn_when_the_case_closes(world, today):
    case = case_at(world, Stage.EXECUTION)
    open_one = ask(world, case, today, actor=world.case_director)
    answered = ask(world, case, today, actor=world.case_director, to_organisation=world.shelter)
    services.information_request_answer(
        actor=ProfessionalFactory(organisation=world.shelter, roles=[Role.PARTNER]),
        request_obj=answered,
        answer="Stayed with us in 2024.",
        expected_version=1,
    )
    assert services.information_requests_close_with_case(actor=world.case_director, case=case) == 1
    open_one.refresh_from_db()
    answered.refresh_from_db()
    assert open_one.status == InformationRequest.Status.WITHDRAWN and open_one.version == 2
    assert answered.status == InformationRequest.Status.ANSWERED
    assert list(selectors.requests_to_my_organisation(user=world.outsider)) == []
    assert list(selectors.open_requests_to_my_organisation(user=world.outsider)) == []


# --- The audit row and the action are one ------------------------------------------------


def test_when_the_audit_write_fails_the_contribution_is_not_kept(world, case, domains, monkeypatch):
    before = Contribution.objects.count()

    def refuse(self, *args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(AuditEvent, "save", refuse)
    with pytest.raises(RuntimeError):
        add(world, case, domains[0])
    monkeypatch.undo()

    # No action without its audit row.
    assert Contribution.objects.count() == before


def test_when_the_request_fails_after_the_action_its_audit_row_goes_too(world, case, domains):
    from django.db import transaction

    class Later(Exception):
        pass

    audit_before = AuditEvent.objects.filter(action="dossier.contribution_added").count()
    with pytest.raises(Later), transaction.atomic():
        add(world, case, domains[0])
        raise Later  # e.g. the next write of the same request is refused

    assert not Contribution.objects.filter(case=case).exists()
    # No audit row for an action that did not happen.
    assert AuditEvent.objects.filter(action="dossier.contribution_added").count() == audit_before
