"""Benchmark the subject access report PDF for a typical record: 3 carers, 8 involvements
and 200 audit events. Prints p50/p95 of building and rendering it (WeasyPrint).

Usage: .venv/bin/python bench/sar_pdf.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import Role, SubjectAccessRequest
from app.services import accounts, audit, children, pdf, sar_report, totp

SERVICES = ["education_setting", "gp_practice", "health_visitor", "school_nurse",
            "social_care", "sen", "youth_support", "voluntary_sector"]


def main() -> None:
    """Make the record, then time report builds and renders."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp.name}/b.sqlite",
                      "SECRET_KEY": "b", "AUDIT_HMAC_KEY": "b", "AUDIT_SIGNING_KEY": "b",
                      "TOTP_ENCRYPTION_KEY": "b",
                      "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1})
    with app.app_context(), app.test_request_context():
        upgrade()
        org = accounts.find_or_create_organisation("Bench Council")
        user = accounts.create_user(email="b@example.org", name="B", role=Role.admin,
                                    organisation=org, password="bench lantern gravel plum",  # noqa: S106
                                    totp_secret=totp.new_secret())
        child = children.create_from_draft(user, {
            "details": {"given_names": "Amelia Rose", "family_name": "O'Neill",
                        "gender": "female", "date_of_birth": "2016-02-14",
                        "address_line1": "7 Marigold Crescent", "town": "Bristol",
                        "postcode": "BS1 4DJ"},
            "identifiers": {"nhs": "9434765919", "upn": "B801200005001"},
            "carers": [{"name": f"Carer {n}", "relationship": "Parent",
                        "parental_responsibility": "yes", "phone": "07700 900 111"}
                       for n in range(3)],
            "services": [{"service_type": kind, "service_name": f"Service {n}",
                          "practitioner_name": "A Person", "phone": "01632 960 000"}
                         for n, kind in enumerate(SERVICES)]})
        for n in range(200):
            audit.record("child.viewed", actor_user_id=user.id, organisation_id=org.id,
                         child_id=child.id, reason_category="coordinating",
                         detail={"reason": f"look {n}"})
        request = SubjectAccessRequest(child_id=child.id, requester_name="Carer 0",
                                       requester_relationship="parent", channel="letter",
                                       received_on=date(2026, 11, 2),
                                       created_by_user_id=user.id)
        db.session.add(request)
        db.session.commit()
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            report = sar_report.build(request)
            body = pdf.render("subject_access/report.html", item=request, report=report,
                              today=date(2026, 11, 22))
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        print(f"report PDF ({len(body):,} bytes): fastest {timings[0]:.0f} ms, "
              f"p50 {statistics.median(timings):.0f} ms, "
              f"p95 {timings[int(len(timings) * 0.95) - 1]:.0f} ms (n={len(timings)})")


if __name__ == "__main__":
    main()
