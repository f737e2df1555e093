"""Background work for consent: the emergency-access notice, run by the tasks worker."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from .models import EmergencyAccess


@task()
def notify_emergency_access(access_id: int) -> None:
    """Tell the coordinators of the case that emergency access was used.

    The message holds no personal data: the case reference, who used the access and
    their organisation, and a link to the review list. No family name, no reason.
    """
    from .services import coordinators_to_notify

    access = EmergencyAccess.objects.select_related("case", "professional", "organisation").get(pk=access_id)
    recipients = [p.email for p in coordinators_to_notify(access.case) if p.email]
    if not recipients:
        return
    context = {
        "reference": access.case.reference,
        "name": access.professional.full_name,
        "organisation": access.organisation.name,
        "link": settings.BASE_URL + reverse("consent:emergency_review_list"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("consent/email/emergency_subject.txt", context).strip()
        body = render_to_string("consent/email/emergency_body.txt", context)
    # One message per coordinator: no one sees who else was told.
    messages = [EmailMessage(subject, body, None, [address]) for address in recipients]
    get_connection().send_messages(messages)
