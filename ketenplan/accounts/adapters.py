from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up: coordinators and administrators invite professionals."""

    def is_open_for_signup(self, request) -> bool:
        return False
