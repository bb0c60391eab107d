"""Readable names of the recorded actions, for the audit log pages (unknown ones show as is)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.i18n import label

ACTION_LABELS = {
    "accounts.user_create": _l("Account created"),
    "accounts.user_deactivate": _l("Account deactivated"),
    "accounts.user_reactivate": _l("Account reactivated"),
    "accounts.two_factor_on": _l("Two-step sign-in turned on"),
    "accounts.two_factor_off": _l("Two-step sign-in turned off"),
    "accounts.sign_out_everywhere": _l("Signed out on every device"),
    "roles.grant": _l("Role granted"),
    "roles.revoke": _l("Role revoked"),
    "registrations.export": _l("Registrations exported"),
    "registrations.bulk_action": _l("Bulk action on registrations"),
    "badges.sheet_download": _l("Badge sheet downloaded"),
    "mailings.send": _l("Message sent to participants"),
    "judging.sheet_reopen": _l("Submitted score reopened"),
    "judging.results_export": _l("Results exported"),
    "judging.rubric_edit": _l("Rubric changed"),
    "judging.advance_override": _l("Advancement decided although judging was incomplete"),
    "judging.awards_override": _l("Awards given although judging was incomplete"),
    "certificates.revoke": _l("Certificate revoked"),
    "certificates.download": _l("Certificate downloaded"),
    "privacy.data_download": _l("Participant downloaded their data"),
    "privacy.deletion_requested": _l("Deletion requested"),
    "privacy.deletion_declined": _l("Deletion request declined"),
    "privacy.anonymize_registration": _l("Registration anonymized"),
    "privacy.anonymize_event": _l("Event anonymized"),
    "event.export": _l("Event data exported (backup)"),
    "event.import": _l("Event data restored (backup)"),
}


def action_label(action: str) -> str:
    """The translated name of an action, or the action itself."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


# The names of the details recorded with an action (the "Details" column).
DETAIL_LABELS = {
    "action": _l("Action"),
    "already_anonymized": _l("Already anonymized"),
    "anonymized": _l("Anonymized"),
    "done": _l("Done"),
    "email": _l("Email"),
    "entry_id": _l("Entry"),
    "files": _l("Files"),
    "filters": _l("Filters"),
    "format": _l("Format"),
    "incomplete": _l("Incomplete entries"),
    "judge_user_id": _l("Judge"),
    "languages_missing": _l("Languages missing"),
    "levels": _l("Levels"),
    "mails_purged": _l("Mails removed"),
    "number": _l("Number"),
    "older_than_days": _l("Older than (days)"),
    "reason": _l("Reason"),
    "recipients": _l("Recipients"),
    "role": _l("Role"),
    "round_id": _l("Round"),
    "rows": _l("Rows"),
    "sensitive_included": _l("Sensitive answers included"),
    "site_admin": _l("Site administrator"),
    "skipped": _l("Skipped"),
}


def detail_label(key: str) -> str:
    """The translated name of a recorded detail, or the key itself."""
    found = DETAIL_LABELS.get(key)
    return str(found) if found is not None else key


def detail_value(key: str, value: object) -> str:
    """A recorded value as a reader of the page's language reads it: yes/no, a role's or
    state's name, a file format in capitals."""
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if key == "format" and isinstance(value, str):
        return value.upper()
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(key, item) for item in value)
    return label(value)


# What a template that shows audit entries needs: render_template(..., **LOG_LABELS).
LOG_LABELS = {
    "action_label": action_label,
    "detail_label": detail_label,
    "detail_value": detail_value,
}
