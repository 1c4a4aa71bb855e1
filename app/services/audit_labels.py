"""What each audit action means, in plain English, for the audit trail's readers (the
codes stay in the database and the CSV, for machines). An action without a label of its
own is still shown in words: "mediated.claimed" becomes "Mediated: claimed"."""

from __future__ import annotations

LABELS = {
    "account.locked": "Account locked after failed sign-ins",
    "archive.listed": "Looked at the archive list",
    "archive.viewed": "Opened an archived record",
    "audit.child_history_viewed": "Looked at a child's access history",
    "audit.exported": "Downloaded the audit trail",
    "carer.added": "Added a parent or carer",
    "carer.changed": "Corrected a parent's or carer's details",
    "carer.removed": "Removed a parent or carer",
    "child.archived": "Record archived",
    "child.created": "Record created",
    "child.destroyed": "Record destroyed",
    "child.details_changed": "Corrected a child's details",
    "child.identifiers_changed": "Corrected a child's identifiers",
    "child.match_shown": "Shown a possible duplicate record",
    "child.matched_existing": "Added services to an existing record",
    "child.merge_previewed": "Previewed a merge of two records",
    "child.merged": "Merged two records",
    "child.named": "Shown a child's name before stating a reason",
    "child.possible_duplicate": "Possible duplicate flagged",
    "child.previewed": "Saw a record as someone else would",
    "child.retention_changed": "Changed a record's retention facts",
    "child.viewed": "Opened a page of a child's record",
    "children.listed": "Looked at the children list",
    "contact.answered": "Answered a request to broker contact",
    "contact.broker_viewed": "Opened a request to broker contact",
    "contact.requested": "Asked the management team to broker contact",
    "correction.letter_generated": "Made a correction letter",
    "correction.received": "Logged a request to correct a record",
    "demo.seeded": "Added demonstration records",
    "drafts.expired": "Unfinished entries deleted after a day",
    "import.abandoned": "Import abandoned",
    "import.applied": "Import finished",
    "import.confirmed": "Import confirmed",
    "import.expired": "Unconfirmed import abandoned",
    "import.failed": "Import failed",
    "import.row_decided": "Decided about a row of an import",
    "import.started": "Import started",
    "involvement.added": "Recorded a service's involvement",
    "involvement.changed": "Corrected a service's details",
    "involvement.ended": "Ended a service's involvement",
    "mediated.answer_restricted": "Mediated answer restricted",
    "mediated.expired": "Mediated request deleted on time",
    "organisation.changed": "Changed the organisation's details",
    "password.changed": "Changed their password",
    "policy.signed": "Agreed to the information-sharing policy",
    "recovery_code.used": "Signed in with a recovery code",
    "retention.run": "Retention ran",
    "sar.approved": "Approved a subject access report",
    "sar.checked": "Recorded identity checks for a subject access request",
    "sar.downloaded": "Subject access report downloaded by the requester",
    "sar.extended": "Extended a subject access deadline",
    "sar.link_revoked": "Cancelled a subject access download link",
    "sar.passphrase_refused": "Wrong passphrase for a subject access download",
    "sar.paused": "Paused a subject access clock",
    "sar.prepared": "Prepared a subject access report",
    "sar.received": "Logged a subject access request",
    "sar.redactions_generated": "Read the redaction log of a subject access report",
    "sar.released": "Released a subject access report",
    "sar.report_generated": "Read a subject access report",
    "sar.requester_linked": "Linked a subject access requester to the record",
    "sar.resumed": "Restarted a subject access clock",
    "sar.withdrawn": "Subject access report withdrawn",
    "search": "Searched the directory",
    "session.expired": "Session ended by timeout",
    "session.revoked": "Ended one of their sessions",
    "session.revoked_all": "Signed out everywhere",
    "session.signed_out": "Signed out",
    "setup.completed": "Finished setting up TeamAround",
    "shield.kept": "Reviewed a shield and kept it",
    "shield.requested": "Shielded a record",
    "sign_in": "Sign-in",
    "totp.reenrolled": "Set up a new authenticator app",
    "totp.replay_refused": "Refused a sign-in code used before",
    "user.created": "Account created",
    "user.enrolled": "Finished setting up their account",
    "user.invited": "Invited someone",
}


def label(action: str) -> str:
    """The action in words."""
    if action in LABELS:
        return LABELS[action]
    area, _, what = action.partition(".")
    words = what.replace("_", " ") if what else ""
    return f"{area.replace('_', ' ').capitalize()}: {words}" if words else \
        area.replace("_", " ").capitalize()
