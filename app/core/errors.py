"""The domain's refusals, shared by every service. The view layer maps each to one answer
in one place (app/views/errors.py and app/views/_common.refusal): NotAllowed is a 403,
NotFound a 404, Refused a plain-English message on the page that asked, NeedMore too."""


class NotAllowed(Exception):
    """The rules refuse this action for this user (shown as a 403)."""


class NotFound(LookupError):
    """No such thing, or not one this user may know exists (shown as a 404)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or "")
        self.message = message


class Refused(ValueError):
    """The action breaks a rule of the record (shown as a message, changes nothing).

    A refusal normally undoes everything the service did; one that must record something
    first (a report withdrawn on the way, say) sets keep = True and its work commits."""

    keep = False


class NeedMore(Refused):
    """A search without enough to go on: say what else is needed, and which box the
    person should go to first (the error summary links to it)."""

    def __init__(self, message: str, field: str = "identifier"):
        super().__init__(message)
        self.field = field
