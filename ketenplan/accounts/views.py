from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ketenplan.core.forms import apply_validation_error
from ketenplan.core.lists import list_page
from ketenplan.core.policy import policy, public

from . import selectors, services
from .filters import ORGANISATION_SORTS, PROFESSIONAL_SORTS, OrganisationFilter, ProfessionalFilter
from .forms import AcceptInvitationForm, InvitationForm
from .models import Role


@policy("accounts.invite")
@require_http_methods(["GET", "POST"])
def invite(request):
    organisations = selectors.invitable_organisations(user=request.user)
    form = InvitationForm(
        request.POST or None,
        organisations=organisations,
        allow_administrator=request.user.has_role(Role.ADMINISTRATOR),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.professional_invite(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link is valid for a limited time.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:invite")
    return render(
        request,
        "accounts/invite.html",
        {"form": form, "pending": selectors.pending_invitations(user=request.user)[:100]},
    )


@policy("accounts.view_directory")
def directory(request):
    listing = list_page(
        request,
        selectors.directory_professionals(user=request.user),
        sorts=PROFESSIONAL_SORTS,
        default_sort="name",
        filterset_class=ProfessionalFilter,
    )
    return render(request, "accounts/directory.html", {"listing": listing, "page": listing.page})


@policy("accounts.view_directory")
def organisations(request):
    listing = list_page(
        request,
        selectors.region_organisations(user=request.user).select_related("region"),
        sorts=ORGANISATION_SORTS,
        default_sort="name",
        filterset_class=OrganisationFilter,
    )
    return render(request, "accounts/organisations.html", {"listing": listing, "page": listing.page})


@public
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            professional = services.invitation_accept(
                token=token, password=form.cleaned_data["password1"], request=request
            )
        except services.InvitationError as exc:
            return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            login(request, professional, backend="allauth.account.auth_backends.AuthenticationBackend")
            # The password was chosen a moment ago: that counts as this session's sign-in
            # (and a fresh one), so setting up the authenticator app does not ask for it
            # again straight away.
            record_authentication(
                request, professional, method="password", email=professional.email, reauthenticated=True
            )
            messages.success(
                request,
                _("Welcome to Ketenplan. Set up two-factor authentication to protect the data you will see."),
            )
            return redirect("home")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"form": form, "professional": invitation.professional},
    )
