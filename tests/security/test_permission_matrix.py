"""The permission matrix: every route × every kind of visitor, with the answer each must get.

The routes come from the URL map, so a new route fails `test_every_route_has_a_matrix_entry`
until someone decides here who may use it. URL arguments are filled with real objects of a
furnished event (tests/security/world.py); one request per route and role, on data built
once for the module.

Columns: anonymous, participant (holds a self-service link, no account), check-in staff,
judge, organizer of another event, organizer, site administrator. Words: see
tests/security/matrix_support.py (ok, login, 401, 403, 404).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.judging.models import JudgeProfile
from tests.security.matrix_support import ROLES, Walker, answer_word, walk

EVERYONE = ("ok", "ok", "ok", "ok", "ok", "ok", "ok")
SIGNED_IN = ("login", "login", "ok", "ok", "ok", "ok", "ok")
ORGANIZER = ("login", "login", "403", "403", "403", "ok", "ok")
SITE_ADMIN = ("login", "login", "403", "403", "403", "403", "ok")
CHECKIN_PAGE = ("login", "login", "ok", "403", "403", "ok", "ok")
# The scanner API answers JSON: 401 instead of a redirect to the login page.
CHECKIN_API = ("401", "401", "ok", "403", "403", "ok", "ok")
# Judges' pages; a site administrator may look at the judge's home but is assigned nothing.
JUDGE = ("login", "login", "403", "ok", "403", "403", "ok")
ASSIGNED_JUDGE = ("login", "login", "403", "ok", "403", "403", "403")
# The tablet's JSON API: 401 instead of a redirect to the login page.
JUDGE_API = ("401", "401", "403", "ok", "403", "403", "ok")
ASSIGNED_JUDGE_API = ("401", "401", "403", "ok", "403", "403", "403")
# Two-step sign-in settings: one's own account, for organizers (of any event) and admins.
ORGANIZER_ACCOUNT = ("login", "login", "403", "403", "ok", "ok", "ok")
# The second sign-in step without a password just given: back to the first step, for anyone.
BACK_TO_SIGN_IN = ("login", "login", "login", "login", "login", "login", "login")
# The link is the credential: a made-up link is 404 whoever follows it.
LINK_HOLDER = ("404", "ok", "404", "404", "404", "404", "404")
# An online guest's join link: its holder is sent on to the stream, a made-up link is 404.
JOIN_LINK = ("404", "302", "404", "404", "404", "404", "404")

MATRIX: dict[str, tuple[str, ...]] = {
    "accounts.admin_deactivate_user": SITE_ADMIN,
    "events.admin_events": SITE_ADMIN,
    "events.admin_new_event": SITE_ADMIN,
    "accounts.admin_reactivate_user": SITE_ADMIN,
    "accounts.admin_revoke_role": ORGANIZER,
    "accounts.admin_roles": ORGANIZER,
    "accounts.admin_users": SITE_ADMIN,
    "accounts.change_own_password": SIGNED_IN,
    "accounts.home": SIGNED_IN,
    "accounts.login": EVERYONE,
    "accounts.logout": EVERYONE,
    "accounts.login_second_factor": BACK_TO_SIGN_IN,
    "accounts.sign_out_everywhere": SIGNED_IN,
    "accounts.two_factor": ORGANIZER_ACCOUNT,
    "accounts.two_factor_off": ORGANIZER_ACCOUNT,
    "accounts.two_factor_recovery_codes": ORGANIZER_ACCOUNT,
    "audit.event_log": ORGANIZER,
    "audit.site_log": SITE_ADMIN,
    "ceremonies.agenda_pdf": ORGANIZER,
    "ceremonies.change_status": ORGANIZER,
    "ceremonies.delete": ORGANIZER,
    "ceremonies.download_document": ORGANIZER,
    "ceremonies.edit": ORGANIZER,
    "ceremonies.edit_item": ORGANIZER,
    "ceremonies.edit_segment": ORGANIZER,
    "ceremonies.host_script_pdf": ORGANIZER,
    "ceremonies.host_script_preview": ORGANIZER,
    "ceremonies.index": ORGANIZER,
    "ceremonies.item": ORGANIZER,
    "ceremonies.move_item_view": ORGANIZER,
    "ceremonies.move_segment_view": ORGANIZER,
    "ceremonies.new": ORGANIZER,
    "ceremonies.new_item": ORGANIZER,
    "ceremonies.new_segment": ORGANIZER,
    "ceremonies.remove_document": ORGANIZER,
    "ceremonies.remove_item": ORGANIZER,
    "ceremonies.remove_segment": ORGANIZER,
    "ceremonies.reorder_items_view": ORGANIZER,
    "ceremonies.reorder_segments_view": ORGANIZER,
    "ceremonies.show": ORGANIZER,
    "ceremonies.stage_list_page": ORGANIZER,
    "ceremonies.stage_list_pdf": ORGANIZER,
    "ceremonies.upload_document": ORGANIZER,
    "certificates.download": ORGANIZER,
    "certificates.index": ORGANIZER,
    "certificates.issue_award": ORGANIZER,
    "certificates.issue_participation": ORGANIZER,
    "certificates.lookup": EVERYONE,
    "certificates.revoke": ORGANIZER,
    "certificates.send": ORGANIZER,
    "certificates.settings": ORGANIZER,
    "certificates.verify": LINK_HOLDER,
    "checkin.api_lists": CHECKIN_API,
    "checkin.api_offline": CHECKIN_API,
    "checkin.api_redeem": CHECKIN_API,
    "checkin.api_search": CHECKIN_API,
    "checkin.api_stats": CHECKIN_API,
    "checkin.api_sync": CHECKIN_API,
    "checkin.api_undo": CHECKIN_API,
    "checkin.choose_scanner": CHECKIN_PAGE,
    "checkin.dashboard": CHECKIN_PAGE,
    "checkin.dashboard_numbers": CHECKIN_PAGE,
    "checkin.devices": ORGANIZER,
    "checkin.edit_list": ORGANIZER,
    "checkin.join_online": JOIN_LINK,
    "checkin.list_lists": ORGANIZER,
    "checkin.new_list": ORGANIZER,
    "checkin.remove_list": ORGANIZER,
    "checkin.revoke_device": ORGANIZER,
    "checkin.scanner": CHECKIN_PAGE,
    "checkin.service_worker": CHECKIN_PAGE,
    "events.dashboard": ORGANIZER,
    "events.index": EVERYONE,
    "events.favicon": EVERYONE,
    "events.settings": ORGANIZER,
    "events.show": EVERYONE,
    "judging.add_conflict": ORGANIZER,
    "judging.add_round_entries": ORGANIZER,
    "judging.advance": ORGANIZER,
    "judging.api_round": JUDGE_API,
    "judging.api_save_sheet": JUDGE_API,
    "judging.api_sheet": ASSIGNED_JUDGE_API,
    "judging.assign": ORGANIZER,
    "judging.audit": ORGANIZER,
    "judging.award_certificates": ORGANIZER,
    "judging.awards": ORGANIZER,
    "judging.change_assignment": ORGANIZER,
    "judging.compare": ORGANIZER,
    "judging.declaration": JUDGE,
    "judging.delete_conflict": ORGANIZER,
    "judging.draw": ORGANIZER,
    "judging.edit_entry": ORGANIZER,
    "judging.edit_round": ORGANIZER,
    "judging.edit_rubric": ORGANIZER,
    "judging.entry_deck": ORGANIZER,
    "judging.entry_page": ORGANIZER,
    "judging.host": ORGANIZER,
    "judging.index": ORGANIZER,
    "judging.judge_deck": ASSIGNED_JUDGE,
    "judging.judge_entry": ASSIGNED_JUDGE,
    "judging.judge_home": JUDGE,
    "judging.judge_organization": ORGANIZER,
    "judging.judge_round": ASSIGNED_JUDGE,
    "judging.judges": ORGANIZER,
    "judging.new_entry": ORGANIZER,
    "judging.new_round": ORGANIZER,
    "judging.ranking_state": ORGANIZER,
    "judging.remove_round_entry": ORGANIZER,
    "judging.reopen": ORGANIZER,
    "judging.results_pdf": ORGANIZER,
    "judging.results_xlsx": ORGANIZER,
    "judging.round_page": ORGANIZER,
    "judging.screen": ORGANIZER,
    "judging.screen_events": ORGANIZER,
    "judging.screen_json": ORGANIZER,
    "judging.set_eligibility": ORGANIZER,
    "judging.stage": ORGANIZER,
    "judging.stage_control": ORGANIZER,
    "judging.stage_json": ORGANIZER,
    "judging.submission_settings": ORGANIZER,
    "judging.submit_entry": EVERYONE,
    "judging.team_entry": LINK_HOLDER,
    # The furnished competition takes no team changes: the leader is sent back to the entry.
    "judging.team_entry_edit": ("404", "302", "404", "404", "404", "404", "404"),
    "openapi.openapi_json": EVERYONE,
    "health.healthz": EVERYONE,
    "health.readyz": EVERYONE,
    "privacy.anonymize": ORGANIZER,
    "privacy.anonymize_one": ORGANIZER,
    "privacy.confirm_request": ORGANIZER,
    "privacy.consent_version": ORGANIZER,
    "privacy.decline_request": ORGANIZER,
    "privacy.download_data": LINK_HOLDER,
    "privacy.index": ORGANIZER,
    "privacy.request_data_deletion": LINK_HOLDER,
    "mail.outbox": ORGANIZER,
    "mail.outbox_message": ORGANIZER,
    "mail.outbox_preview": ORGANIZER,
    "mail.retry": ORGANIZER,
    "media.coverage": ORGANIZER,
    "media.edit_coverage": ORGANIZER,
    "media.export_xlsx": ORGANIZER,
    "media.import_confirm": ORGANIZER,
    "media.import_preview": ORGANIZER,
    "media.import_upload": ORGANIZER,
    "media.index": ORGANIZER,
    "media.link_journalist_view": ORGANIZER,
    "media.new_coverage": ORGANIZER,
    "media.new_outlet": ORGANIZER,
    "media.outlet": ORGANIZER,
    "media.outlets": ORGANIZER,
    "media.remove_coverage": ORGANIZER,
    "media.remove_outlet": ORGANIZER,
    "media.report_pdf": ORGANIZER,
    "media.unlink_journalist_view": ORGANIZER,
    "registration.badge_logo": ORGANIZER,
    "registration.badge_sheet": ORGANIZER,
    "registration.badge_sheet_status": ORGANIZER,
    "registration.badges": ORGANIZER,
    "registration.bulk_registrations": ORGANIZER,
    "registration.cancel": LINK_HOLDER,
    "registration.create_badge_sheet": ORGANIZER,
    "registration.delete_question_view": ORGANIZER,
    "registration.download_badge_sheet": ORGANIZER,
    "registration.calendar": LINK_HOLDER,
    "registration.edit": LINK_HOLDER,
    "registration.edit_category": ORGANIZER,
    "registration.edit_question": ORGANIZER,
    "registration.export_registrations_csv": ORGANIZER,
    "registration.export_registrations_xlsx": ORGANIZER,
    "registration.list_categories": ORGANIZER,
    "registration.list_questions": ORGANIZER,
    "registration.list_registrations": ORGANIZER,
    "registration.mailings": ORGANIZER,
    "registration.manage": LINK_HOLDER,
    "registration.new_category": ORGANIZER,
    "registration.new_question": ORGANIZER,
    "registration.participant_badge": LINK_HOLDER,
    "registration.personal_page_manifest": LINK_HOLDER,
    "registration.personal_page_worker": LINK_HOLDER,
    "registration.register": EVERYONE,
    "registration.registration_action": ORGANIZER,
    "registration.registration_badge": ORGANIZER,
    "registration.reissue_registration_badge": ORGANIZER,
    "registration.show_registration": ORGANIZER,
    "registration.transliterate": EVERYONE,
}

# Routes whose answer to another event's object is a refusal with a message rather than 404.
FOREIGN_OBJECT_ANSWERS = {
    # The user exists but is no judge of this event: refused with a flash, nothing recorded.
    "judging.judge_organization": "ok",
    # A staged import of another event reads as expired: back to the upload form.
    "media.import_preview": "302",
    "media.import_confirm": "ok",
    # Not assigned to the entry of another event.
    "judging.api_save_sheet": "403",
    # Consent versions are numbered per event: number 1 is this event's own first version.
    "privacy.consent_version": "ok",
}


def endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def test_every_route_has_a_matrix_entry(_app):
    assert sorted(endpoints(_app) - MATRIX.keys()) == []


def test_the_matrix_names_no_route_that_is_gone(_app):
    assert sorted(MATRIX.keys() - endpoints(_app)) == []


def test_a_new_route_is_missing_from_the_matrix(config_class):
    other = create_app(config_class)

    @other.route("/forgotten")
    def forgotten():
        return "open to anyone by accident"

    assert sorted(endpoints(other) - MATRIX.keys()) == ["forgotten"]


def test_every_role_gets_the_matrix_answer_on_every_route(matrix_setup):
    app = matrix_setup.app
    wrong = {}
    for column, role in enumerate(ROLES):
        walker, client = matrix_setup.walkers[role]
        for rule, method, url in walk(app, walker):
            if rule.endpoint not in MATRIX:
                continue  # reported by test_every_route_has_a_matrix_entry
            matrix_setup.sign_in(client, role)
            response = client.open(url, method=method, data={} if method == "POST" else None)
            answer = answer_word(method, response)
            response.close()
            expected = MATRIX[rule.endpoint][column]
            if answer != expected:
                wrong[(rule.endpoint, role)] = f"{method} {url}: {answer}, expected {expected}"
    assert wrong == {}


def test_organizer_reaches_no_object_of_another_event_through_their_own(matrix_setup):
    """Own event's slug, the other event's ids: every object route answers 404 (or refuses)."""
    app = matrix_setup.app
    own, foreign = matrix_setup.own, matrix_setup.foreign
    walker = Walker("organizer", replace(foreign, slug=own.slug), spare_user_id=0)
    _walker, client = matrix_setup.walkers["organizer"]
    checked, wrong = 0, {}
    for rule, method, url in walk(app, walker):
        object_arguments = set(rule.arguments) - {"slug", "action"}
        if "slug" not in rule.arguments or not object_arguments:
            continue
        if MATRIX.get(rule.endpoint, ORGANIZER)[ROLES.index("organizer")] != "ok":
            continue  # refused to the organizer whatever the object
        matrix_setup.sign_in(client, "organizer")
        response = client.open(url, method=method, data={} if method == "POST" else None)
        answer = answer_word(method, response)
        response.close()
        checked += 1
        if answer != FOREIGN_OBJECT_ANSWERS.get(rule.endpoint, "404"):
            wrong[rule.endpoint] = f"{method} {url}: {answer}"
    assert checked >= 60
    assert wrong == {}
    with app.app_context():
        foreign_judge = foreign.values["judge_id"]
        assert (
            db.session.scalar(select(JudgeProfile).where(JudgeProfile.user_id == foreign_judge))
            is None
        )
