"""Ticket codes: issued codes verify, anything else is refused, Python and JS agree."""

import base64
import hashlib
import hmac
import json
import shutil
import string
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.documents.tickets import (
    CODE_LENGTH,
    TicketClaims,
    generate_event_key,
    issue_ticket_code,
    peek_event_id,
    verify_ticket_code,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ROOT = Path(__file__).resolve().parents[2]
ALPHABET = string.ascii_uppercase + "234567" + string.ascii_lowercase + "0189=-_ "


def test_issued_code_verifies_to_its_claims():
    code = issue_ticket_code(KEY, 7, 123456, 2)
    assert verify_ticket_code(KEY, code) == TicketClaims(7, 123456, 2)


def test_code_is_compact_and_qr_alphanumeric():
    code = issue_ticket_code(KEY, 2**31 - 1, 2**31 - 1, 2**16 - 1)
    assert len(code) == CODE_LENGTH <= 60
    assert set(code) <= set(string.ascii_uppercase + string.digits)
    assert code.startswith("HW1")


def test_generated_keys_are_random_and_32_bytes():
    keys = {generate_event_key() for _ in range(10)}
    assert len(keys) == 10 and all(len(key) == 32 for key in keys)


def test_every_single_character_change_is_refused():
    code = issue_ticket_code(KEY, 42, 9001, 1)
    for position in range(len(code)):
        for replacement in ALPHABET:
            if replacement == code[position]:
                continue
            forged = code[:position] + replacement + code[position + 1 :]
            assert verify_ticket_code(KEY, forged) is None, forged


def test_code_from_another_events_key_is_refused():
    assert verify_ticket_code(KEY, issue_ticket_code(OTHER_KEY, 42, 9001, 1)) is None


def test_truncated_and_extended_codes_are_refused():
    code = issue_ticket_code(KEY, 42, 9001, 1)
    for cut in range(len(code)):
        assert verify_ticket_code(KEY, code[:cut]) is None
    for suffix in ("A", "=", "AAAA", " ", "\n", "====="):
        assert verify_ticket_code(KEY, code + suffix) is None
        assert verify_ticket_code(KEY, suffix + code) is None
    assert verify_ticket_code(KEY, code.lower()) is None


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        0,
        1.5,
        b"HW1",
        bytearray(b"x"),
        [],
        {},
        object(),
        "",
        "HW1",
        "🙂" * 35,
        "\x00" * 35,
        "HW1" + "A" * 10_000,
        "HW1" + "=" * 32,
    ],
)
def test_garbage_of_any_type_is_refused_without_raising(garbage):
    assert verify_ticket_code(KEY, garbage) is None
    assert peek_event_id(garbage) is None


def test_bytes_form_of_a_valid_code_is_refused():
    code = issue_ticket_code(KEY, 1, 2, 3)
    assert verify_ticket_code(KEY, code.encode()) is None


@pytest.mark.parametrize(
    ("event_id", "registration_id", "serial"),
    [(-1, 1, 1), (1, 2**32, 1), (1, 1, 2**16), (True, 1, 1), (1.0, 1, 1), ("1", 1, 1)],
)
def test_out_of_range_claims_cannot_be_issued(event_id, registration_id, serial):
    with pytest.raises((TypeError, ValueError)):
        issue_ticket_code(KEY, event_id, registration_id, serial)


def test_short_or_non_bytes_key_is_a_programming_error():
    with pytest.raises(ValueError):
        issue_ticket_code(b"short", 1, 1, 1)
    with pytest.raises(TypeError):
        verify_ticket_code("not bytes", "HW1")


def test_peek_reads_event_id_without_key():
    assert peek_event_id(issue_ticket_code(KEY, 77, 1, 0)) == 77


@settings(max_examples=300, deadline=None)
@given(
    event_id=st.integers(0, 2**31 - 1),
    registration_id=st.integers(0, 2**31 - 1),
    serial=st.integers(0, 2**16 - 1),
)
def test_round_trip_property(event_id, registration_id, serial):
    code = issue_ticket_code(KEY, event_id, registration_id, serial)
    assert verify_ticket_code(KEY, code) == TicketClaims(event_id, registration_id, serial)
    assert verify_ticket_code(OTHER_KEY, code) is None


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=32, max_size=32).map(
            lambda body: "HW1" + body
        ),
        st.binary(),
        st.integers(),
        st.none(),
    )
)
def test_random_inputs_are_refused(candidate):
    assert verify_ticket_code(KEY, candidate) is None


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, CODE_LENGTH - 1), char=st.characters())
def test_any_character_substitution_is_refused(position, char):
    code = issue_ticket_code(KEY, 5, 6, 7)
    forged = code[:position] + char + code[position + 1 :]
    if forged != code:
        assert verify_ticket_code(KEY, forged) is None


def _code_with_genuine_tag(event_id: int, registration_id: int) -> str:
    """A code with a correct MAC whose ids exceed the database's integer (the issuer refuses
    to make one): only the id range can refuse it."""
    payload = struct.pack(">IIH", event_id, registration_id, 1)
    tag = hmac.new(KEY, b"HW1" + payload, hashlib.sha256).digest()[:10]
    return "HW1" + base64.b32encode(payload + tag).decode()


@pytest.mark.parametrize(("event_id", "registration_id"), [(2**31, 1), (1, 2**31), (2**32 - 1, 5)])
def test_ids_beyond_the_database_integer_are_not_a_code(event_id, registration_id):
    code = _code_with_genuine_tag(event_id, registration_id)
    assert peek_event_id(code) is None
    assert verify_ticket_code(KEY, code) is None
    with pytest.raises(ValueError):
        issue_ticket_code(KEY, event_id, registration_id, 1)


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_browser_verifier_agrees_with_python(tmp_path):
    valid = [
        issue_ticket_code(KEY, e, r, s)
        for e, r, s in [(0, 0, 0), (1, 2, 3), (7, 123456, 2), (2**31 - 1, 2**31 - 1, 2**16 - 1)]
    ]
    code = valid[2]
    candidates = [
        *valid,
        issue_ticket_code(OTHER_KEY, 7, 123456, 2),
        code[:-1] + ("A" if code[-1] != "A" else "B"),
        code[:10] + ("Q" if code[10] != "Q" else "R") + code[11:],
        code.lower(),
        code[:-1],
        code + "A",
        "",
        "HW1",
        "HW2" + code[3:],
        *(_code_with_genuine_tag(e, r) for e, r in [(2**31, 1), (1, 2**31), (2**32 - 1, 5)]),
    ]
    expected = []
    for candidate in candidates:
        claims = verify_ticket_code(KEY, candidate)
        expected.append(
            None
            if claims is None
            else {
                "eventId": claims.event_id,
                "registrationId": claims.registration_id,
                "serial": claims.serial,
            }
        )
    module = (ROOT / "static" / "js" / "ticket-verify.js").as_uri()
    script = tmp_path / "check.mjs"
    script.write_text(
        f"import {{ verifyTicketCode }} from {json.dumps(module)};\n"
        f"const key = new Uint8Array({json.dumps(list(KEY))});\n"
        f"const codes = {json.dumps(candidates)};\n"
        "const out = [];\n"
        "for (const code of codes) out.push(await verifyTicketCode(key, code));\n"
        "for (const garbage of [null, 12, {}, []]) {\n"
        "  if (await verifyTicketCode(key, garbage) !== null) throw new Error('garbage');\n"
        "}\n"
        "console.log(JSON.stringify(out));\n"
    )
    result = subprocess.run(
        [NODE, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == expected
    assert sum(item is not None for item in expected) == len(valid)
