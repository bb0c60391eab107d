"""Helpers for the check-in scanner browser tests: guests, lists, staff login, a QR video."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from app.accounts.models import Role
from app.checkin.services import ListData, create_list
from app.documents.qr import qr_png
from app.extensions import db
from app.registration.models import Attendance
from app.registration.services import ParticipantData, register_participant
from app.registration.tickets import ticket_code
from tests.conftest import TEST_PASSWORD

_guest_numbers = iter(range(1, 1_000_000))


def add_guest(event, category, native_name: str, latin_name: str = "", **fields):
    """A registration made through the registration service (no mail); committed."""
    n = next(_guest_numbers)
    data = ParticipantData(
        native_name=native_name,
        latin_name=latin_name,
        email=fields.pop("email", f"scanner-guest{n}@example.org"),
        country=fields.pop("country", "CN"),
        attendance=fields.pop("attendance", Attendance.ONSITE),
        language=fields.pop("language", "zh_CN"),
        organization=fields.pop("organization", "青岛大学"),
        phone=fields.pop("phone", f"+86 138 0000 {n:04d}"),
    )
    registration = register_participant(event, category, data, notify=False)
    db.session.commit()
    return registration


def add_list(event, name: str = "Main hall", **fields):
    """A check-in list of the event; committed."""
    checkin_list = create_list(event, ListData(name=name, **fields))
    db.session.commit()
    return checkin_list


def code_of(registration) -> str:
    """The registration's current ticket code."""
    return ticket_code(registration)


def staff_user(make_user, event):
    """A check-in staff account on the event (email, password)."""
    user = make_user(Role.CHECKIN_STAFF, event=event)
    return user.email


def log_in(page, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the login form."""
    page.goto("/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def write_qr_video(path: Path, text: str, frames: int = 10) -> Path:
    """A Y4M video (640×480, I420) of the QR symbol of `text` on a white page, for Chromium's
    fake camera (--use-file-for-fake-video-capture)."""
    width, height = 640, 480
    qr = Image.open(io.BytesIO(qr_png(text, box_size=8, border=4))).convert("L")
    side = min(height - 40, qr.width)
    qr = qr.resize((side, side), Image.NEAREST)
    canvas = Image.new("L", (width, height), 255)
    canvas.paste(qr, ((width - side) // 2, (height - side) // 2))
    y, cb, cr = canvas.convert("RGB").convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = (
        y.tobytes() + cb.resize(half, Image.BOX).tobytes() + cr.resize(half, Image.BOX).tobytes()
    )
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(planes)
    return path
