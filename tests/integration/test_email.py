"""Email over SMTP to a real server (aiosmtpd on loopback): each kind of message, sent by
the job queue's sender, retried while the server is down, never holding a child's
details, its links on PUBLIC_BASE_URL working once."""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import OutgoingEmail, User
from app.services import mail, notifications
from tests.conftest import PASSWORD, csrf_token, make_user, sign_in
from tests.integration.children_helpers import (
    CONSENT,
    MARKERS,
    approve,
    ask_for_look_up,
    check_identity,
    details,
    make_child,
    person,
    service,
    set_controller,
)
from tests.integration.test_enrolment import _enrol

# Every detail of the fixture child and the reasons given about her: none may be emailed
CHILD_FIELDS = ["Amelia", "O'Neill", "O&#39;Neill", "ONeill", "14 February 2016",
                "2016-02-14", "14/02/2016", "9434765919", "943 476 5919", "B801200005001",
                "Sarah", "Liam", "07700 900", "Immunisation follow-up", *MARKERS.values()]


class Inbox:
    """What the SMTP server received (refusing, as a real server would, any address at
    nowhere.example)."""

    def __init__(self):
        self.messages = []
        self.greylisted = set()  # addresses refused once for now (450), as greylisting does

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.endswith("@nowhere.example"):
            return "550 5.1.1 No such mailbox"
        if address.endswith("@greylist.example") and address not in self.greylisted:
            self.greylisted.add(address)
            return "450 4.2.0 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class Server:
    """aiosmtpd on a loopback port that stays the same across a stop and a start."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     loop=asyncio.new_event_loop())
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?tls=none"


@pytest.fixture
def smtp():
    server = Server()
    server.start()
    yield server
    if server.controller:
        server.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(MAIL_URL=smtp.url, MAIL_SENDER="directory@county.example",
                    MAIL_TIMEOUT_SECONDS=2)


def _invite(client):
    """Invite Pat to the administrator's own organisation through the portal."""
    org_id = re.search(r'<option value="(\d+)"', client.get(
        "/admin/users/invite").get_data(as_text=True)).group(1)
    return client.post("/admin/users/invite", data={
        "name": "Pat Practitioner", "email": "pat@riverside.example", "role": "practitioner",
        "organisation": org_id, "role_category": "head_teacher",
        "training": ["1", "11", "2025"], "dbs": ["1", "6", "2025"],
        "csrf_token": csrf_token(client, "/admin/users/invite")})


def _send(app) -> int:
    with app.app_context():
        return mail.send_due()


def _text(message) -> str:
    """Subject, plain text and HTML of a message, as one string."""
    parts = [message["Subject"]]
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            parts.append(part.get_content())
    return "\n".join(parts)


def _link(message) -> str:
    return re.search(r"(http://\S+)", message.get_body(("plain",)).get_content()).group(1)


def _outbox(app):
    with app.app_context():
        return db.session.scalars(sa.select(OutgoingEmail).order_by(OutgoingEmail.id)).all()


def test_an_invitation_is_emailed_not_shown_and_its_link_works_once(mail_app, smtp):
    admin, _ = person(mail_app, "admin", "County Council", "boss@county.example")
    page = _invite(admin).get_data(as_text=True)
    assert "We have emailed Pat Practitioner at pat@riverside.example" in page
    assert 'id="invitation-link"' not in page
    assert _send(mail_app) == 1
    (message,) = smtp.inbox.messages
    assert message["To"] == "pat@riverside.example"
    assert message["From"] == "directory@county.example"
    assert message.get_body(("plain",)) and message.get_body(("html",))
    assert "County Council" in _text(message)
    link = _link(message)
    assert link.startswith("http://localhost/")
    path = link.removeprefix("http://localhost")
    visitor = mail_app.test_client()
    assert visitor.get(path).status_code == 302
    response, _ = _enrol(visitor, "/enrol/password")
    assert response.status_code == 200  # enrolled with the emailed link
    assert mail_app.test_client().get(path).status_code == 404  # it works once
    (row,) = _outbox(mail_app)
    assert row.status == "sent" and row.body is None and row.sent_at is not None
    assert _send(mail_app) == 0  # sent once only


def test_an_emailed_link_expires(mail_app, smtp):
    admin, _ = person(mail_app, "admin", "County Council", "boss@county.example")
    _invite(admin)
    _send(mail_app)
    path = _link(smtp.inbox.messages[0]).removeprefix("http://localhost")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=72, minutes=1)):
        assert mail_app.test_client().get(path).status_code == 404


def test_a_failed_send_is_retried_with_backoff_and_shown_to_administrators(mail_app, smtp):
    _, admin_id = person(mail_app, "admin", "County Council", "boss@county.example")
    smtp.stop()
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        with mail_app.app_context():
            notifications.mediated_created  # noqa: B018 (imported: the module loads)
            mail.queue("invitation", "pat@riverside.example", hours=72,
                       link=mail.link("main.index"))
            db.session.commit()
        for waited in (0, 61, 301, 901):
            traveller.shift(timedelta(seconds=waited))
            assert _send(mail_app) == 0
        (row,) = _outbox(mail_app)
        assert row.status == "queued" and row.attempts == 4 and row.last_error
        assert row.next_attempt_at > datetime.now(UTC).replace(tzinfo=None) + timedelta(
            minutes=59)  # the 5th try waits an hour
        manager = mail_app.test_client()
        _, email, secret = make_user(mail_app, email="deputy@county.example",
                                     organisation="County Council")
        sign_in(manager, email, secret)
        home = manager.get("/").get_data(as_text=True)
        assert ">1</span> email failing to send" in home
        listing = manager.get("/admin/emails").get_data(as_text=True)
        assert "Failing" in listing and "ConnectionRefusedError" in listing
        smtp.start()
        manager.post(f"/admin/emails/{row.id}/retry",
                     data={"csrf_token": csrf_token(manager, "/admin/emails")})
        assert _send(mail_app) == 1
    assert len(smtp.inbox.messages) == 1 and _outbox(mail_app)[0].status == "sent"
    assert admin_id


def test_no_message_of_any_kind_holds_a_childs_details(mail_app, smtp):
    """Every kind of message, from journeys about the fixture child, grepped for each of
    her details and the reasons given (issue 18: only "something for you: sign in")."""
    manager, manager_id = person(mail_app, "admin", "County Council", "manager@county.example")
    deputy, _ = person(mail_app, "admin", "County Council", "deputy@county.example")
    head, head_id = person(mail_app, "practitioner", "Hilltop School", "head@hilltop.example")
    requester, _ = person(mail_app, "requester", "Riverside Youth", "nina@riverside.example")
    set_controller(mail_app, manager_id)
    child_id = make_child(mail_app, head_id, data={
        "details": details(), "identifiers": {"nhs": "9434765919", "upn": "B801200005001"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "phone": "07700 900 111",
                    "email": "sarah@mail.example", "address": None}],
        "services": [service(), service("mental_health", MARKERS["camhs"], **CONSENT)]})
    with mail_app.app_context():
        hilltop = db.session.get(User, head_id).organisation_id
    # a look-up request, urgent, about her: its brokers are told; then its answer
    ask_for_look_up(requester, hilltop, urgency="urgent")
    head.post("/requests/1/claim", data={"csrf_token": csrf_token(head, "/")})
    head.post("/requests/1/decline", data={"confirm": "yes", "d-reason": "Not known to us",
                                           "csrf_token": csrf_token(head, "/")})
    # a subject access request with an email address: prepared, approved, released by link
    location = manager.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "requester_email": "sarah@mail.example", "requester_relationship": "parent",
        "channel": "email", "received_on": ["2", "11", "2026"],
        "csrf_token": csrf_token(manager, "/")}).location
    check_identity(manager, location)
    manager.post(location + "/prepare", data={"csrf_token": csrf_token(manager, "/")})
    approve(deputy, location)
    released = manager.post(location + "/release/link", data={
        "confirm": "yes", "csrf_token": csrf_token(manager, "/")}).get_data(as_text=True)
    assert "We have emailed the link to Sarah O&#39;Neill" in released
    assert 'id="document-link"' not in released and 'id="passphrase"' in released
    # an authenticator reset, a lockout, a new device, the daily digest
    with mail_app.app_context():
        from app.services import administration

        administration.reset_authenticator(db.session.get(User, manager_id),
                                           db.session.get(User, head_id), "Lost phone")
        db.session.commit()
        assert notifications.daily_digests() >= 1  # the report awaits: a deadline is near
    locked = mail_app.test_client()
    for _ in range(10):
        locked.post("/sign-in", data={"email": "nina@riverside.example", "password": "wrong",
                                      "csrf_token": csrf_token(locked)})
    _, email, secret = make_user(mail_app, email="sam@county.example",
                                 organisation="County Council")
    sign_in(mail_app.test_client(), email, secret)
    other = mail_app.test_client()
    other.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Windows NT 10.0) Firefox/130"
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=1)):  # a fresh code
        sign_in(other, email, secret)
        while _send(mail_app):
            pass
    kinds = {row.kind for row in _outbox(mail_app)}
    assert kinds >= {"mediated_new", "mediated_answered", "sar_awaiting_approval", "sar_link",
                     "authenticator_reset", "digest", "account_locked", "new_device"}, kinds
    assert all(row.status == "sent" for row in _outbox(mail_app))
    for message in smtp.inbox.messages:
        text = _text(message)
        for field in CHILD_FIELDS:
            assert field not in text, (message["Subject"], field)
        assert "http://localhost/" in text  # a link to sign in and see
        assert "passphrase" not in text or "never sent with this email" in text
        for part in ("plain", "html"):  # each kind in plain text and HTML, naming who sends
            body = message.get_body((part,)).get_content()
            assert re.search(r"County Council|Hilltop School|Riverside Youth", body), (message["Subject"], part)


def test_links_use_the_public_address_whatever_host_the_request_named(make_app, smtp):
    app = make_app(MAIL_URL=smtp.url, TRUSTED_HOSTS=["localhost", "evil.example"])
    _, email, secret = make_user(app, email="boss@county.example", organisation="County Council")
    admin = app.test_client()
    admin.environ_base["HTTP_HOST"] = "evil.example"  # every request names another host
    sign_in(admin, email, secret)
    assert _invite(admin).status_code == 200
    _send(app)
    (message,) = smtp.inbox.messages
    assert _link(message).startswith("http://localhost/")
    assert "evil.example" not in _text(message)


def test_the_daily_email_can_be_turned_off_but_security_notices_cannot(mail_app, smtp):
    manager, manager_id = person(mail_app, "admin", "County Council", "boss@county.example")
    page = manager.get("/account/").get_data(as_text=True)
    assert "Daily email of what is due" in page
    manager.post("/account/daily-email/off", data={"csrf_token": csrf_token(manager, "/")})
    with mail_app.app_context():
        assert db.session.get(User, manager_id).daily_digest is False
        assert notifications.digest_items  # the items still count; nobody is sent them
        assert notifications.daily_digests() == 0
    stranger = mail_app.test_client()
    for _ in range(10):
        stranger.post("/sign-in", data={"email": "boss@county.example",
                                        "password": "wrong " + PASSWORD,
                                        "csrf_token": csrf_token(stranger)})
    assert [row.kind for row in _outbox(mail_app)] == ["account_locked"]


def test_with_email_off_links_stay_on_screen_and_pages_say_so(app_without_email):
    admin, _ = person(app_without_email, "admin", "County Council", "boss@county.example")
    page = _invite(admin).get_data(as_text=True)
    assert 'id="invitation-link"' in page and "Email is off" in page
    assert 'id="email-off"' in admin.get("/admin/emails").get_data(as_text=True)
    assert 'id="email-off"' in admin.get("/account/").get_data(as_text=True)
    assert _outbox(app_without_email) == []


def test_the_job_queue_consumer_sends_the_outbox(mail_app, smtp):
    """Sent by the job queue's consumer (its companion, as `flask jobs run` starts it),
    never inside a request: the request only queues."""
    import threading

    from app.jobs import queue
    from tests.jobs_helpers import wait_for

    admin, _ = person(mail_app, "admin", "County Council", "boss@county.example")
    _invite(admin)
    assert smtp.inbox.messages == []  # the request queued it; nothing was sent
    stop = threading.Event()
    threads = queue.start_companions(mail_app, stop)
    try:
        wait_for(lambda: len(smtp.inbox.messages) == 1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert _outbox(mail_app)[0].status == "sent"


def _certificate(folder) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (cert file, key file): the test's own CA."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    moment = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(moment - timedelta(days=1))
            .not_valid_after(moment + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_and_login(make_app, tmp_path, security):
    """STARTTLS on 587 or implicit TLS on 465, the certificate checked (against the CA
    file given), then a login; a server that refuses the login leaves the message queued."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    server = Server()
    options = ({"tls_context": context, "require_starttls": True, "auth_require_tls": True}
               if security == "starttls"  # aiosmtpd cannot tell that implicit TLS is TLS:
               else {"ssl_context": context, "auth_require_tls": False})  # the whole
    server.controller = Controller(server.inbox, hostname="127.0.0.1",  # talk is in it
                                   port=server.port, loop=asyncio.new_event_loop(),
                                   authenticator=authenticator, **options)
    server.controller.start()
    scheme = "smtp" if security == "starttls" else "smtps"
    try:
        for password, sent in (("wrong", 0), ("s3cret", 1)):
            app = make_app(MAIL_URL=f"{scheme}://mailer:{password}@127.0.0.1:{server.port}"
                                    f"?cafile={cert}")
            with app.app_context():
                if not mail.enabled():
                    pytest.fail("email should be on")
                db.session.execute(sa.update(OutgoingEmail).values(next_attempt_at=sa.func.now())
                                   .execution_options(synchronize_session=False))
                if not _outbox(app):
                    mail.queue("invitation", "pat@riverside.example", hours=72,
                               link=mail.link("main.index"))
                db.session.commit()
            assert _send(app) == sent, (password, [r.last_error for r in _outbox(app)])
        assert logins == [(b"mailer", b"wrong"), (b"mailer", b"s3cret")]
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_one_bad_message_does_not_stop_the_rest_and_a_refused_address_is_given_up(
        mail_app, smtp):
    """A message the server refuses for good (550) is not retried forever: it is given up,
    its body erased, and shown; a message that cannot even be read (a changed key) is
    counted as a failed try; the good one behind them goes."""
    with mail_app.app_context():
        mail.queue("invitation", "pat@nowhere.example", hours=72, link=mail.link("main.index"))
        db.session.add(OutgoingEmail(kind="invitation", to_address="kim@riverside.example",
                                     subject="x", body="not encrypted with this key",
                                     status="queued", attempts=0,
                                     next_attempt_at=datetime(2000, 1, 1)))
        mail.queue("invitation", "pat@riverside.example", hours=72,
                   link=mail.link("main.index"))
        db.session.commit()
    assert _send(mail_app) == 1
    refused, unreadable, good = _outbox(mail_app)
    assert refused.status == "failed" and refused.body is None and "550" in refused.last_error
    assert unreadable.status == "queued" and unreadable.attempts == 1
    assert good.status == "sent"
    assert [m["To"] for m in smtp.inbox.messages] == ["pat@riverside.example"]


def _shielded_child(app) -> None:
    """A manager of the host and a child they shield today (its first review is due in 7
    days, so a digest has something to say later)."""
    from app.models import Child, ShieldCategory
    from app.services import shielding

    _, manager_id = person(app, "admin", "County Council", "boss@county.example")
    child_id = make_child(app, manager_id)
    with app.app_context():
        shielding.request(db.session.get(User, manager_id), db.session.get(Child, child_id),
                          ShieldCategory.domestic_violence, "Fled to a refuge")
        db.session.commit()


def test_a_second_digest_run_the_same_day_sends_nothing_more(mail_app, smtp):
    """Two consumers each run the 07:00 job: each manager still gets one digest."""
    _shielded_child(mail_app)
    due = datetime.now(UTC) + timedelta(days=85)  # the shield's review is due
    with time_machine.travel(due), mail_app.app_context():
        assert notifications.daily_digests() == 1
        assert notifications.daily_digests() == 0
    assert [row.kind for row in _outbox(mail_app)].count("digest") == 1


def test_building_a_link_leaves_who_is_acting_alone(mail_app, smtp):
    """The new-device notice is built while signing in: the session it tells of still
    records the address it came from (building links once ended the request's actor)."""
    from app.models import UserSession

    _, email, secret = make_user(mail_app, email="sam@county.example",
                                 organisation="County Council")
    sign_in(mail_app.test_client(), email, secret)
    other = mail_app.test_client()
    other.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Windows NT 10.0) Firefox/130"
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=1)):
        sign_in(other, email, secret)
    with mail_app.app_context():
        ips = db.session.scalars(sa.select(UserSession.ip).order_by(UserSession.id)).all()
    assert len(ips) == 2 and all(ips), ips
    assert [row.kind for row in _outbox(mail_app)] == ["new_device"]


def test_a_mistyped_security_setting_stops_the_app_starting(make_app):
    """A typo must not mean clear text, password included."""
    assert make_app(MAIL_URL=None, MAIL_HOST="mail.example", MAIL_SECURITY=" STARTTLS ")
    for wrong in ({"MAIL_URL": None, "MAIL_HOST": "mail.example", "MAIL_SECURITY": "ssl"},
                  {"MAIL_URL": "smtp://mail.example?tls=yes"},
                  {"MAIL_URL": "http://mail.example"}):
        with pytest.raises(ValueError):
            make_app(**wrong)


def test_a_temporary_refusal_is_tried_again_not_given_up(mail_app, smtp):
    """A greylisting server answers 450 to a new sender once: smtplib raises the same
    error as for a 550, but the message must wait and go, not be given up."""
    with mail_app.app_context():
        mail.queue("invitation", "pat@greylist.example", hours=72, link=mail.link("main.index"))
        db.session.commit()
    assert _send(mail_app) == 0
    (row,) = _outbox(mail_app)
    assert row.status == "queued" and row.body and row.attempts == 1 and "450" in row.last_error
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=61)):
        assert _send(mail_app) == 1
    assert _outbox(mail_app)[0].status == "sent"
    assert [m["To"] for m in smtp.inbox.messages] == ["pat@greylist.example"]


def test_a_new_look_up_request_is_told_to_those_who_may_handle_it(mail_app, smtp):
    """mediated.may_broker: the practitioners of the organisation asked and the management
    team; not that organisation's administrators, who cannot open the queue."""
    person(mail_app, "admin", "County Council", "manager@county.example")
    person(mail_app, "admin", "Hilltop School", "office@hilltop.example")
    _, head_id = person(mail_app, "practitioner", "Hilltop School", "head@hilltop.example")
    requester, _ = person(mail_app, "requester", "Riverside Youth", "nina@riverside.example")
    with mail_app.app_context():
        hilltop = db.session.get(User, head_id).organisation_id
    ask_for_look_up(requester, hilltop)
    told = sorted(row.to_address for row in _outbox(mail_app) if row.kind == "mediated_new")
    assert told == ["head@hilltop.example", "manager@county.example"]


def test_the_digest_counts_reviews_deadlines_and_lapsing_access(mail_app, smtp):
    """Each of the digest's three lines, counted, and nothing about which child."""
    manager, manager_id = person(mail_app, "admin", "County Council", "boss@county.example")
    deputy, _ = person(mail_app, "admin", "County Council", "deputy@county.example")
    _, head_id = person(mail_app, "practitioner", "Hilltop School", "head@hilltop.example")
    set_controller(mail_app, manager_id)
    child_id = make_child(mail_app, head_id)
    with mail_app.app_context():
        from app.models import Child, ShieldCategory
        from app.services import shielding

        shielding.request(db.session.get(User, manager_id), db.session.get(Child, child_id),
                          ShieldCategory.domestic_violence, "Fled to a refuge")
        head = db.session.get(User, head_id)
        head.dbs_checked_on = datetime.now(UTC).date() - timedelta(days=3 * 365 - 10)
        db.session.commit()
    today = datetime.now(UTC).date()
    location = manager.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "requester_relationship": "parent", "channel": "email",
        "received_on": [str(today.day), str(today.month), str(today.year)],
        "csrf_token": csrf_token(manager, "/")}).location
    check_identity(manager, location)
    # 3 days before the report is due (a month from today, or the next working day when
    # that is a weekend or a bank holiday: received on 25 November, it is due on 29
    # December) it is due within 7 days, the shield's 7-day review is overdue and the head
    # teacher's DBS check has lapsed
    from app.services import deadlines

    later = (deadlines.due_date(today) - today).days - 3
    with time_machine.travel(datetime.now(UTC) + timedelta(days=later)), mail_app.app_context():
        assert notifications.daily_digests() == 2  # the manager and the deputy
        while mail.send_due():
            pass
    texts = [_text(m) for m in smtp.inbox.messages if m["Subject"] == mail.SUBJECTS["digest"]]
    assert len(texts) == 2
    for text in texts:
        assert "1 shield review due within 7 days or overdue" in text
        assert "1 subject access request due within 7 days or overdue" in text
        assert "1 user whose access has lapsed or lapses soon" in text
        assert not any(field in text for field in [*CHILD_FIELDS, "Fled"])
    assert deputy


def test_two_consumers_queue_one_digest_each_under_an_advisory_lock(mail_app, smtp):
    """Every consumer runs the hourly digest job: on PostgreSQL two could each find no
    digest yet and both queue one; the second waits for the first's advisory lock."""
    import threading

    if mail_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite's write lock serialises the two already")
    _shielded_child(mail_app)
    due = datetime.now(UTC) + timedelta(days=85)
    queued = []

    def run():
        with mail_app.app_context():
            queued.append(notifications.daily_digests())

    with time_machine.travel(due), mail_app.app_context():
        holder = db.engine.connect()
        holder.execute(sa.text("BEGIN"))
        holder.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"),
                       {"k": notifications.DIGEST_LOCK})
        other = threading.Thread(target=run)
        other.start()
        other.join(1.0)
        assert other.is_alive() and not queued  # it waits for the lock's holder
        holder.execute(sa.text("ROLLBACK"))
        holder.close()
        other.join(10)
        assert queued == [1]
        assert notifications.daily_digests() == 0
    assert [row.kind for row in _outbox(mail_app)].count("digest") == 1


def test_implicit_tls_by_host_settings_takes_its_port_and_a_private_ca(make_app):
    app = make_app(MAIL_URL=None, MAIL_HOST="mail.example", MAIL_SECURITY="tls",
                   MAIL_CAFILE="/etc/ca.pem")
    with app.app_context():
        found = mail.settings()
    assert (found.port, found.security, found.cafile) == (465, "tls", "/etc/ca.pem")
    app = make_app(MAIL_URL=None, MAIL_HOST="mail.example")
    with app.app_context():
        assert (mail.settings().port, mail.settings().security) == (587, "starttls")
