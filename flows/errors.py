"""Exceptions the CLI turns into one clear line and exit code 2."""


class InputError(Exception):
    """Bad input an analyst can act on. The message says which file/sheet/row/column and why.

    Never put child-level values (IDs, dates of birth, free text) in the message.
    """


class RemoteError(Exception):
    """A remote store (S3) that still failed after retries with backoff: the message names the URL,
    the attempts and the reason. Not an InputError, so Prefect tasks may retry it again later."""


class ConfigError(InputError, ValueError):
    """A PIA_* environment variable whose value cannot be used: the message names it (flows.config)."""
