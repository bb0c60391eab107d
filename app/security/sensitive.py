"""ID-like answers: which custom questions ask for an identity document number.

Huiwu's own registration form never asks for one (name, organization, title, email, phone,
country, attendance, language). Some venues do require ID numbers (government buildings
check them at the gate), so an organizer can add a question for it; such a question is
flagged sensitive: answers are masked on screen and left out of exports unless the
organizer explicitly includes them, which the audit log records.
"""

from __future__ import annotations

import re

# Words that, in a question's label, ask for an identity document or its number.
_ID_LIKE = re.compile(
    r"身份证|证件号|证件号码|护照|通行证|居留许可|签证号|"
    r"passport|\bid\s*(?:card|number|no\.?|#)|identity\s*(?:card|document|number)|"
    r"national\s*id|social\s*security|\bssn\b|visa\s*number|residence\s*permit|"
    r"паспорт|удостоверени[ея]\s*личности|\bинн\b|снилс",
    re.IGNORECASE,
)


def is_id_like_label(*labels: str) -> bool:
    """True when any of the labels asks for an identity document (number)."""
    return any(_ID_LIKE.search(label or "") for label in labels)


def mask_answer(text: str) -> str:
    """An ID-like answer for display: only its last four characters."""
    text = str(text or "")
    if not text:
        return ""
    visible = text[-4:] if len(text) > 6 else ""
    return "•" * max(len(text) - len(visible), 4) + visible


def mask_email(address: str) -> str:
    """An email address shown to someone it does not belong to (a team leader looking at the
    members' registrations): enough to tell the members apart, not enough to write to them."""
    local, at, domain = str(address or "").partition("@")
    if not at:
        return "••••"
    return f"{local[:1]}•••@{domain}"
