"""The exceptions of the domain and the services: a broken rule, a missing record."""

from __future__ import annotations


class DomainError(ValueError):
    """A value broke a domain rule.

    ``code`` is a stable machine code in English snake_case (``"check_digit"``,
    ``"length"``, ``"format"``...) for programs such as the import API;
    ``message`` is Portuguese, for a person. ``str(err)`` is the message.
    """

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"DomainError(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[type[DomainError], tuple[str, str]]:
        # Exceptions pickle as cls(*self.args); without this a worker that
        # hands an error across a process boundary would lose the code.
        return (type(self), (self.code, self.message))


class NotFound(LookupError):  # noqa: N818 - an outcome the web layer answers, not a bug
    """What was asked for does not exist, or is not the asker's (another client's id looks
    exactly like a missing one). Services raise it; the web layer answers 404 (the error page,
    or the API's JSON). ``message`` is Portuguese, for a person."""

    def __init__(self, message: str = "Registro não encontrado.") -> None:
        super().__init__(message)
        self.message = message


class Invalid(ValueError):
    """Input a person has to correct: a Portuguese message per form field (``errors``, keyed by
    the form's field names). Services raise it; the page catches it and shows its form again,
    with the messages beside their fields, status 422."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)
