"""The one exception type for input a user can fix; the CLI turns it into exit code 2."""


class InputError(Exception):
    """Bad input an analyst can act on. The message says which file/sheet/row/column and why.

    Never put child-level values (IDs, dates of birth, free text) in the message.
    """
