"""The exception types the CLI turns into a one-line message and exit status 2."""


class InputError(Exception):
    """The input file cannot be used as a disclosure (empty, binary, not a 决算, encrypted, over a bound…)."""

    def __init__(self, path: object, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class OutputError(InputError):
    """The outputs cannot be written where asked (--out is a file, no permission, folder locked by another
    run)."""
