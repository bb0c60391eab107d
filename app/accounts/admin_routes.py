"""Site administration (users, roles) and the password change page; events: app.events.

The views live on the accounts blueprint; create_app imports this module to register them.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.accounts.admin_forms import (
    ChangePasswordForm,
    GrantRoleForm,
    NewUserForm,
    RevokeRoleForm,
)
from app.accounts.models import Role, User
from app.accounts.permissions import LOGGED_IN, SITE_ADMIN, event_role, requires
from app.accounts.routes import bp
from app.accounts.services import (
    AccountError,
    change_password,
    create_user,
    find_user,
    grant_role,
    list_users,
    revoke_role,
    role_holders,
    set_user_active,
)
from app.extensions import db


def _status(form) -> int:
    """400 for a rejected submission, 200 otherwise."""
    return 400 if request.method == "POST" and form.errors else 200


@bp.route("/admin/users", methods=["GET", "POST"])
@requires(SITE_ADMIN)
def admin_users():
    """List the accounts; POST creates one."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data, form.name.data, form.password.data, is_admin=form.is_admin.data
            )
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            target = form.password if exc.field_name == "password" else form.email
            target.errors = [*target.errors, str(exc)]
        else:
            flash(_("The account %(email)s has been created.", email=user.email), "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/admin_users.html", form=form, users=list_users()), _status(
        form
    )


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(User, user_id)
    try:
        set_user_active(user, active, current_user)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("accounts.admin_users"))
    if active:
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    else:
        flash(_("%(email)s has been deactivated and signed out.", email=user.email), "success")
    return redirect(url_for("accounts.admin_users"))


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@requires(SITE_ADMIN)
def admin_deactivate_user(user_id: int):
    """Deactivate an account: it can no longer sign in and its sessions end."""
    return _set_active(user_id, False)


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@requires(SITE_ADMIN)
def admin_reactivate_user(user_id: int):
    """Let a deactivated account sign in again."""
    return _set_active(user_id, True)


@bp.route("/admin/events/<slug>/roles", methods=["GET", "POST"])
@requires(event_role(Role.ORGANIZER))
def admin_roles(slug: str):
    """Who holds which role on the event; POST grants a role to an existing user."""
    event = g.event
    form = GrantRoleForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is None:
            form.email.errors = [
                *form.email.errors,
                _("No account with this email. A site administrator can create one."),
            ]
        else:
            grant_role(user, event, Role(form.role.data))
            db.session.commit()
            flash(_("The role has been granted to %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.admin_roles", slug=event.slug))
    return render_template(
        "accounts/admin_roles.html",
        form=form,
        grants=role_holders(event),
        revoke_form=RevokeRoleForm(formdata=None),
    ), _status(form)


@bp.route("/admin/events/<slug>/roles/revoke", methods=["POST"])
@requires(event_role(Role.ORGANIZER))
def admin_revoke_role(slug: str):
    """Take one role on the event away from one user."""
    form = RevokeRoleForm()
    if not form.validate():
        abort(400)
    user = db.get_or_404(User, form.user_id.data)
    if revoke_role(user, g.event, Role(form.role.data)):
        db.session.commit()
        flash(_("The role has been revoked from %(email)s.", email=user.email), "success")
    else:
        flash(_("%(email)s did not have this role.", email=user.email), "info")
    return redirect(url_for("accounts.admin_roles", slug=slug))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(LOGGED_IN)
def change_own_password():
    """Change one's own password; every other session of the account is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data, form.new_password.data)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            target = form.new_password if exc.field_name == "password" else form.current_password
            target.errors = [*target.errors, str(exc)]
        else:
            # The session token changed; sign this session in again with the new one.
            login_user(user)
            flash(_("Your password has been changed. Other sessions were signed out."), "success")
            return redirect(url_for("accounts.home"))
    return render_template("accounts/password.html", form=form), _status(form)
