"""Input that PostgreSQL refuses and SQLite takes: numbers beyond `integer`, NUL characters and
lone surrogates. Walked over the whole URL map, every query parameter the code reads, and every
way a number comes in (URL converters, query and form parameters, JSON, ticket codes). No answer
may be a 5xx, and nothing may reach the database's own refusal (the net in
app/security/input.py counts those; the autouse fixture in tests/conftest.py fails a test that
trips it). On SQLite these tests check the same answers; they matter on PostgreSQL.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from app.documents.tickets import CODE_LENGTH, PREFIX
from tests.security.matrix_support import url_value

BOUNDARY_NUMBERS = ["0", "-1", str(2**31), str(2**63), "1" + "0" * 30]
UNSTORABLE_TEXT = ["\x00", "a\x00b"]
APP_DIR = Path(__file__).resolve().parents[2] / "app"
NUL_MESSAGE_ZH = "不允许的字符"


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _answer(client, method: str, url: str, **options):
    response = client.open(url, method=method, **options)
    response.close()
    return response


def _walker_client(matrix_setup, role: str):
    walker, client = matrix_setup.walkers[role]
    matrix_setup.sign_in(client, role)
    return walker, client


def test_numbers_beyond_integer_in_every_url_converter_are_unknown_ids(matrix_setup):
    """Every <int:…> of every route, as the organizer of the furnished event: 0, -1, 2^31,
    2^63 and 10^30 answer like any unknown id (404, or the view's own 4xx), never 5xx."""
    app = matrix_setup.app
    walker, client = _walker_client(matrix_setup, "organizer")
    failures, tried = [], 0
    for rule in _rules(app):
        numbered = [a for a in rule.arguments if isinstance(rule._converters[a], IntegerConverter)]
        method = "GET" if "GET" in rule.methods else "POST"
        for argument in numbered:
            values = {a: url_value(rule, a, walker) for a in rule.arguments}
            for number in BOUNDARY_NUMBERS:
                values[argument] = 10**9  # a placeholder the number replaces in the URL
                url = rule.build(values, append_unknown=False)[1].replace(str(10**9), number, 1)
                response = _answer(client, method, url)
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"{method} {url}: {response.status_code}")
    assert tried > 300
    assert failures == [], "\n".join(failures[:30])


def query_parameters_read_by_the_app() -> set[str]:
    """Every query or form parameter name the code reads by name (request.args/form.get(…),
    [...], getlist(…), and the filters that parse `args`)."""
    pattern = re.compile(r"""(?:args|form)(?:\.get|\.getlist|\.get_all)?[\[(]\s*["']([\w-]+)["']""")
    names: set[str] = set()
    for path in APP_DIR.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_parameter_scan_finds_the_parameters_people_send():
    names = query_parameters_read_by_the_app()
    assert {"q", "list_id", "category", "outlet", "entry", "ids"} <= names, sorted(names)


@pytest.mark.parametrize("value", ["2147483648", "1" + "0" * 30, "-2147483649", "\x00"])
def test_hostile_values_in_every_query_parameter_of_every_page_answer_4xx(matrix_setup, value):
    """Every GET route, with every parameter name the app reads set to the value at once."""
    app = matrix_setup.app
    parameters = dict.fromkeys(query_parameters_read_by_the_app(), value)
    failures = []
    for role in ("organizer", "site_admin", "judge", "checkin_staff", "participant"):
        walker, client = _walker_client(matrix_setup, role)
        for rule in _rules(app):
            if "GET" not in rule.methods:
                continue
            values = {a: url_value(rule, a, walker) for a in rule.arguments}
            url = rule.build(values, append_unknown=False)[1]
            response = _answer(client, "GET", url, query_string=parameters)
            if response.status_code >= 500:
                failures.append(f"{role} GET {url}: {response.status_code}")
            elif value == "\x00" and response.status_code != 400:
                failures.append(f"{role} GET {url}?…=NUL: {response.status_code}, not 400")
    assert failures == [], "\n".join(failures[:30])


# --- NUL and lone surrogates: the places the issue names, answered 400 in the visitor's language


def _world(matrix_setup):
    return matrix_setup.own.slug, matrix_setup.own.values


def test_nul_in_the_sign_in_email_is_a_400_page_in_chinese(matrix_setup):
    client = matrix_setup.app.test_client()
    response = client.post("/login", data={"email": "judge\x00@huiwu.local", "password": "x" * 12})
    assert response.status_code == 400
    assert NUL_MESSAGE_ZH in response.text


@pytest.mark.parametrize(
    "url",
    ["/e/%00/", "/c/%00abc", "/e/qingdao%00/register", "/r/%00", "/c/?number=%00&name=x"],
)
def test_nul_in_a_public_url_is_a_400_page(matrix_setup, url):
    client = matrix_setup.app.test_client()
    response = client.get(url, headers={"Accept-Language": "ru"})
    assert response.status_code == 400
    assert "недопустимые символы" in response.text


def test_nul_in_the_certificate_check_form_is_a_400(matrix_setup):
    client = matrix_setup.app.test_client()
    response = client.post("/c/", data={"number": "ITTC\x002020-P-0001", "name": "王"})
    assert response.status_code == 400


@pytest.mark.parametrize("page", ["registrations", "registrations/export.csv", "certificates"])
def test_nul_in_the_organizers_search_is_a_400(matrix_setup, page):
    slug, _values = _world(matrix_setup)
    _walker, client = _walker_client(matrix_setup, "organizer")
    response = client.get(f"/manage/{slug}/{page}", query_string={"q": "\x00"})
    assert response.status_code == 400


def test_nul_in_the_names_organizers_give_is_a_400_and_writes_nothing(matrix_setup):
    """Device, check-in list and category names, through the organizer's forms."""
    slug, _values = _world(matrix_setup)
    _walker, client = _walker_client(matrix_setup, "organizer")
    forms = {
        f"/manage/{slug}/checkin/devices": {"name": "Tablet\x00"},
        f"/manage/{slug}/checkin/lists/new": {"name": "Hall\x00"},
        f"/manage/{slug}/categories/new": {"name_zh": "嘉宾\x00", "name_en": "Guests"},
    }
    for url, data in forms.items():
        response = _answer(client, "POST", url, data=data)
        assert response.status_code == 400, url
        assert NUL_MESSAGE_ZH in response.text, url


@pytest.fixture
def scanner(matrix_setup):
    """The check-in API of the furnished event, spoken with its device token."""
    slug, values = _world(matrix_setup)
    client = matrix_setup.app.test_client()
    headers = {"Authorization": f"Bearer {values['device_secret']}", "Accept": "application/json"}

    def redeem(code: str, **extra):
        body = {"code": code, "list_id": values["list_id"], "station": "Door A", "nonce": None}
        body.update(extra)
        body["nonce"] = body["nonce"] or base64.b32encode(code.encode()[-20:]).decode()[:32]
        return _answer(
            client, "POST", f"/api/events/{slug}/checkin/redeem", json=body, headers=headers
        )

    return redeem


@pytest.mark.parametrize("station", ["Door\x00A", "Door \ud800"])
def test_unstorable_text_in_a_json_body_is_a_400_json_error(scanner, station):
    response = scanner("HW1" + "A" * 32, station=station)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_characters"


def _json_operations():
    from app.openapi import openapi_document

    for path, operations in openapi_document()["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                yield method.upper(), path


@pytest.mark.parametrize("text", ["\x00", "a\ud800b"])
def test_unstorable_text_anywhere_in_any_api_body_is_a_400(matrix_setup, text):
    """Every JSON operation of the OpenAPI document, the text at the top and nested."""
    slug, values = _world(matrix_setup)
    _walker, judge = _walker_client(matrix_setup, "judge")
    device = {"Authorization": f"Bearer {values['device_secret']}"}
    operations = list(_json_operations())
    assert len(operations) >= 4
    for method, path in operations:
        url = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], slug)), path)
        client = judge if "/judging/" in path else matrix_setup.app.test_client()
        headers = {} if "/judging/" in path else device
        for body in ({"station": text}, {"scans": [{"code": "HW1", "station": text}]}):
            response = _answer(client, method, url, json=body, headers=headers)
            assert response.status_code == 400, (url, body, response.status_code)
            assert response.get_json()["error"] == "invalid_characters", url


# --- ticket codes: every well-formed code over the whole alphabet


def _code_from(raw: bytes) -> str:
    return PREFIX + base64.b32encode(raw).decode()


def test_a_code_claiming_an_event_beyond_integer_is_invalid_not_a_500(scanner):
    raw = struct.pack(">IIH", 2**32 - 1, 1, 0) + b"\x00" * 10
    response = scanner(_code_from(raw))
    assert response.status_code == 200
    assert response.get_json()["status"] == "invalid"


def test_a_typo_in_the_fourth_character_of_a_genuine_code_is_invalid(matrix_setup, scanner):
    code = matrix_setup.own.values["ticket_code"]
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567":
        if letter == code[3]:
            continue
        response = scanner(code[:3] + letter + code[4:])
        assert response.status_code == 200, letter
        assert response.get_json()["status"] in ("invalid", "wrong_event"), letter


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(raw=st.binary(min_size=20, max_size=20))
def test_every_well_formed_code_is_answered_in_the_scanner_vocabulary(scanner, raw):
    code = _code_from(raw)
    assert len(code) == CODE_LENGTH
    response = scanner(code)
    assert response.status_code == 200, (code, response.status_code)
    assert response.get_json()["status"] in ("invalid", "wrong_event")


# --- uploads: the one image check


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims width × height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(100_000, 100_000), (20_000, 20_000)])
def test_a_png_claiming_too_many_pixels_as_badge_logo_is_refused_with_a_message(matrix_setup, size):
    slug, _values = _world(matrix_setup)
    _walker, client = _walker_client(matrix_setup, "organizer")
    data = {
        "badge_size": "A6",
        "accent_color": "#1d4ed8",
        "logo": (BytesIO(png_claiming(*size)), "logo.png"),
    }
    response = _answer(client, "POST", f"/manage/{slug}/badges", data=data)
    assert response.status_code == 400
    assert "像素" in response.text  # "too many pixels", in the organizer's Chinese


@pytest.mark.parametrize("kind", ["logo", "seal", "signature"])
def test_a_png_claiming_too_many_pixels_as_certificate_image_is_refused(matrix_setup, kind):
    slug, _values = _world(matrix_setup)
    _walker, client = _walker_client(matrix_setup, "organizer")
    response = _answer(
        client,
        "POST",
        f"/manage/{slug}/certificates/settings",
        data={
            "number_prefix": "ITTC2020",
            kind: (BytesIO(png_claiming(100_000, 100_000)), f"{kind}.png"),
        },
    )
    assert response.status_code == 400
    assert "像素" in response.text
