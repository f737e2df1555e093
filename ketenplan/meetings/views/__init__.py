"""The pages of the meetings app: thin views over ``services`` and ``selectors``."""
