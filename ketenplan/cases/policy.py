from ketenplan.core.policy import rule, scope_rule  # noqa: F401
