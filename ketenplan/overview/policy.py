from ketenplan.accounts.models import Role
from ketenplan.core.policy import rule


@rule("overview.board")
def can_see_board(user, obj) -> bool:
    """The coordinator's board of all cases of the coordination point."""
    return user.organisation_id is not None and user.has_role(Role.COORDINATOR)
