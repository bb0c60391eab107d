"""The shape shared by the HTML views that change something: call the service, commit, flash,
redirect; on a refusal roll back and flash its message instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect

from app.errors import DomainError
from app.extensions import db

T = TypeVar("T")


def commit_and_redirect(
    save: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    to: str | Callable[[T], str],
    errors: type[Exception] | tuple[type[Exception], ...] = DomainError,
) -> Any:
    """Call `save` (the service), commit, flash `success` and redirect to `to`; both may be
    functions of what `save` returned. When `save` raises one of `errors`: roll back, flash the
    error's message and return None, so the view shows its form again (usually with a 400)."""
    try:
        result = save()
    except errors as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return None
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return redirect(to(result) if callable(to) else to)


def act_and_redirect(
    act: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    to: str | Callable[[T], str],
    refused_to: str | None = None,
    errors: type[Exception] | tuple[type[Exception], ...] = DomainError,
) -> Any:
    """The shape of a POST-only action (a button, not a form page): call `act` (the service),
    commit, flash `success` and redirect to `to`, both may be functions of what `act` returned.
    When `act` raises one of `errors`: roll back, flash the error's message and redirect to
    `refused_to` (by default where success would have gone, when that is a plain address)."""
    try:
        result = act()
    except errors as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(refused_to if refused_to is not None else to)
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return redirect(to(result) if callable(to) else to)
