"""The domain's refusals, shared by every service (views turn them into 403s or messages)."""


class NotAllowed(Exception):
    """The rules refuse this action for this user (shown as a 403)."""


class Refused(ValueError):
    """The action breaks a rule of the record (shown as a message, changes nothing)."""
