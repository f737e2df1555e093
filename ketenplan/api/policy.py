from ketenplan.accounts.models import Role
from ketenplan.core.policy import rule


@rule("api.manage_tokens")
def can_manage_tokens(user, obj) -> bool:
    return user.organisation_id is not None and user.roles != frozenset({Role.ANALYST})


@rule("api.read_schema")
def can_read_schema(user, obj) -> bool:
    return True
