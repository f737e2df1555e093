"""Background work for accounts, run by the tasks worker."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from .models import Invitation


@task()
def send_invitation(invitation_id: int) -> None:
    from .services import invitation_issue_link

    invitation = Invitation.objects.select_related("professional", "invited_by").get(
        pk=invitation_id
    )
    if not invitation.is_usable:
        return
    link = invitation_issue_link(invitation=invitation)
    context = {
        "invitation": invitation,
        "professional": invitation.professional,
        "link": link,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.professional.email])
