"""Operator commands: `flask --app wsgi users|audit|setup-link ...`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.datastructures import MultiDict

from app import config as app_config
from app.core.text import plural
from app.extensions import db
from app.forms.admin import OperatorUserForm
from app.models import OrganisationKind, Role, RoleCategory
from app.services import (
    accounts,
    audit_tree,
    audit_verify,
    backup,
    enrolment,
    mail,
    passwords,
    totp,
)

users_cli = AppGroup("users", help="Manage user accounts.")
audit_cli = AppGroup("audit", help="Check, seal and prove the audit trail.")
demo_cli = AppGroup("demo", help="Synthetic data for demos and benchmarks.")
retention_cli = AppGroup("retention", help="Archive and destroy records on time.")
jobs_cli = AppGroup("jobs", help="The background job queue.")
children_cli = AppGroup("children", help="Children's records.")
backup_cli = AppGroup("backup", help="Back up, check and restore the database.")


@children_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--organisation", required=True, help="The importing setting's name.")
@click.option("--actor", required=True, help="Email address of the user importing.")
@click.option("--dry-run", is_flag=True, help="Print the preview; change nothing.")
def children_import(file, organisation, actor, dry_run):
    """Import pupils from a CSV export or a DfE Common Transfer File (told apart by content):
    print the preview's counts and errors, then (without --dry-run) apply the new and
    matched rows. A refused file exits 2 and writes nothing."""
    from app.services import imports
    from app.services.imports import jobs, review

    user = accounts.find_user_by_email(actor)
    if user is None or user.organisation.name != organisation or not user.is_active:
        raise click.ClickException(f"No active user {actor} in {organisation}")
    content = file.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    try:
        kind, found = imports.read(content)
    except imports.Refused as refused:
        click.echo(f"Refused: {refused}", err=True)
        sys.exit(2)
    if dry_run:
        result = imports.preview(user, found, kind)
        _print_preview(result.counts(), [(r.number, column, message) for r in result.rows
                                         for column, message in r.errors])
        return
    job_id = review.start(user, file.name, content)
    jobs.run(job_id)  # check, as the queue would
    _print_preview(review.counts(job_id), review.errors(job_id))
    review.confirm(user, job_id)
    jobs.run(job_id)  # apply
    done = review.counts(job_id)
    click.echo(f"Applied: {plural(done['new'], 'new child', 'new children')} added, "
               f"{plural(done['matched'], 'existing record')} now list your setting.")


def _print_preview(counts, errors) -> None:
    click.echo(f"{sum(counts.values())} rows: {counts['new']} new, {counts['matched']} "
               f"matched, {counts['unchanged']} already recorded, {counts['held']} held for "
               f"you to decide, {counts['held_management']} held for the management team, "
               f"{counts['error']} with errors")
    for number, column, message in errors:
        click.echo(f"  row {number}, {column or 'row'}: {message}")


@jobs_cli.command("run")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def jobs_run(workers):
    """Run a consumer of the job queue in the foreground (Ctrl-C stops it gracefully),
    with its companions beside the workers (the audit log's sequencer)."""
    import threading

    from app.jobs import queue
    from app.jobs.queue import consumer, settle_process

    handler = logging.StreamHandler()  # task names and ids only: never their arguments
    handler.setFormatter(logging.Formatter("[%(asctime)s] jobs: %(message)s"))
    logging.getLogger("huey").addHandler(handler)
    logging.getLogger("huey").setLevel(logging.INFO)
    app = current_app._get_current_object()
    settle_process()
    stop = threading.Event()
    queue.start_companions(app, stop)
    try:
        consumer(app, workers=workers).run()
    finally:
        stop.set()


@jobs_cli.command("status")
def jobs_status():
    """Print how many jobs are waiting (exit 1 if the queue cannot be reached)."""
    from app.jobs.queue import pending

    try:
        click.echo(f"{plural(pending(current_app._get_current_object()), 'job')} waiting")
    except Exception as error:  # any storage failure: say so, exit 1
        click.echo(f"The job queue cannot be reached: {type(error).__name__}", err=True)
        sys.exit(1)


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Report what would happen; change nothing.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Apply the rules as on this day (default: today).")
def retention_run(dry_run, as_of):
    """Apply the retention rules in one transaction and print what was done, by rule."""
    from app.core.clock import now
    from app.services import retention

    day = as_of.date() if as_of else now().date()
    try:
        report = retention.run(day, dry_run=dry_run)  # batches, each with its events
    except Exception:
        click.echo("Retention run FAILED part-way: the batches already done stand (each "
                   "with its audit events); run it again to finish.", err=True)
        raise
    for line in report.lines():
        click.echo(line)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation", "organisation_name", required=True,
              help="Created when missing; the first organisation becomes the host.")
@click.option("--kind", type=click.Choice([k.value for k in OrganisationKind]),
              default=OrganisationKind.other.value, show_default=True,
              help="Kind of organisation, used only when it is created.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
@click.option("--print-totp-uri", is_flag=True, help="Print the otpauth:// URI.")
@click.option("--role-category", type=click.Choice([c.value for c in RoleCategory]),
              default=RoleCategory.other.value, show_default=True)
@click.option("--dbs-date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date of the enhanced DBS check (default: today).")
@click.option("--training-date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date training was completed (default: today).")
@click.option("--no-dbs", is_flag=True, help="Record no DBS check (the user is blocked).")
@click.option("--no-training", is_flag=True, help="Record no training (the user is blocked).")
@click.option("--not-nominated", is_flag=True, help="Leave the user un-nominated (blocked).")
@click.option("--policy-unsigned", is_flag=True,
              help="The user signs the acceptable use policy at first sign-in.")
def create_user(email, name, role, organisation_name, kind, password_stdin, print_totp_uri,
                role_category, dbs_date, training_date, no_dbs, no_training, not_nominated,
                policy_unsigned):
    """Create an enrolled user, eligible unless the options say otherwise. The name, email
    address, role and organisation pass the same checks as the invitation form."""
    form = OperatorUserForm(MultiDict({"email": email, "name": name, "role": role,
                                       "organisation_name": organisation_name}),
                            meta={"csrf": False})
    if not form.validate():
        raise click.ClickException(" ".join(e for errors in form.errors.values()
                                            for e in errors))
    password = sys.stdin.readline().rstrip("\r\n")
    problems = passwords.policy_problems(password, organisation_name=form.organisation_name.data,
                                         email=form.email.data)
    if problems:
        raise click.ClickException(problems[0])
    secret = totp.new_secret()
    try:
        user = accounts.add_by_operator(
            organisation_name=form.organisation_name.data, kind=OrganisationKind(kind),
            email=form.email.data, name=form.name.data, role=Role(role), password=password,
            totp_secret=secret,
            eligible=_eligibility(role_category, dbs_date, training_date, no_dbs, no_training,
                                  not_nominated, policy_unsigned))
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    organisation = user.organisation
    click.echo(f"Created user {user.id} ({user.role.value}) in {organisation.name}"
               + (" (host organisation)" if organisation.is_host else ""))
    if print_totp_uri:
        click.echo(totp.provisioning_uri(secret, user.email))


def _eligibility(role_category, dbs_date, training_date, no_dbs, no_training, not_nominated,
                 policy_unsigned) -> dict:
    record = {"role_category": RoleCategory(role_category)}
    if dbs_date or no_dbs:
        record["dbs_checked_on"] = None if no_dbs else dbs_date.date()
    if training_date or no_training:
        record["training_completed_on"] = None if no_training else training_date.date()
    if not_nominated:
        record["nominated_at"] = None
    if policy_unsigned:
        record["policy_version"] = record["policy_signed_at"] = None
    return record


@audit_cli.command("verify")
@click.option("--against", "against", metavar="HEAD",
              help="A tree head printed earlier by `audit head` (the JSON, or a file "
                   "holding it): prove the log has only grown since.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes checking ranges of a long log (default: up to 2).")
def verify_audit(against, workers):
    """Exit 0 if the audit log is intact; otherwise name the first bad event."""
    head = _read_head(against) if against else None
    verdict = audit_verify.verify(against=head, workers=workers)
    db.session.rollback()
    if verdict.ok:
        waiting = f"; {verdict.waiting:,} not yet sealed" if verdict.waiting else ""
        click.echo(f"Audit trail intact: {plural(verdict.events, 'event')} verified "
                   f"({verdict.sealed:,} sealed in the signed tree{waiting}).")
        if head:
            click.echo(f"It holds, unchanged, the {plural(head.tree_size, 'event')} of the head "
                       "given.")
        return
    where = f" at event {verdict.bad_seq}" if verdict.bad_seq is not None else ""
    click.echo(f"Audit trail BROKEN{where}: {verdict.problem}", err=True)
    sys.exit(1)


def _read_head(text: str) -> audit_tree.Head:
    if not text.lstrip().startswith("{"):
        try:
            text = Path(text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter("give the head's JSON, or a file holding it",
                                     param_hint="--against") from exc
    try:
        return audit_tree.Head.from_json(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--against") from exc


@audit_cli.command("seal")
def seal_audit():
    """Seal the events waiting for it into the tree now (the job queue does every second)."""
    sealed = audit_tree.seal_all()
    click.echo(f"{plural(sealed, 'event')} sealed.")


@audit_cli.command("head")
def audit_head():
    """Seal what waits, then print the newest signed tree head as one line of JSON: keep
    it somewhere the database's owner cannot change, to check the log against later."""
    audit_tree.seal_all()
    head = audit_tree.latest()
    db.session.rollback()
    if head is None:
        click.echo("The audit log is empty: there is no tree head yet.", err=True)
        sys.exit(1)
    click.echo(head.to_json())


@audit_cli.command("prove")
@click.argument("seq", type=click.IntRange(1, 2**63 - 1))
def audit_prove(seq):
    """Print the proof that event SEQ is in the signed tree (anyone can check it with
    `audit check-proof`, or by RFC 9162's algorithm and the public key)."""
    audit_tree.seal_all()
    proof = audit_tree.prove(seq)
    db.session.rollback()
    if proof is None:
        click.echo(f"There is no event {seq} in the audit log.", err=True)
        sys.exit(1)
    click.echo(proof.to_json())


@audit_cli.command("check-proof")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def audit_check_proof(file):
    """Exit 0 if FILE (printed by `audit prove`) proves its event is in a tree this install
    signed."""
    try:
        proof = audit_tree.Proof.from_json(file.read())
    except ValueError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if audit_tree.proof_holds(proof):
        click.echo(f"Proof holds: event {proof.seq} is leaf {proof.position} of the signed tree "
                   f"of {plural(proof.head.tree_size, 'event')}.")
        return
    click.echo("Proof does NOT hold: the event, the path or the head was changed.", err=True)
    sys.exit(1)


@demo_cli.command("seed")
@click.option("--children", "count", type=click.IntRange(1, 2_000_000), required=True)
@click.option("--seed", "seed_value", type=int, default=1, show_default=True)
def demo_seed(count, seed_value):
    """Add COUNT synthetic children (valid identifiers, made-up en_GB people)."""
    import time

    from app.services import demo

    started = time.perf_counter()
    totals = demo.seed(count, seed_value)
    db.session.commit()
    took = time.perf_counter() - started
    click.echo(", ".join(f"{v:,} {k}" for k, v in totals.items()) + f" in {took:.1f} s")


@click.command("setup-link")
@with_appcontext
def setup_link():
    """Print a one-time link to set up the first administrator, while nobody has an account."""
    if accounts.any_user_exists():
        db.session.rollback()
        return
    token = enrolment.new_setup_token()
    link = mail.link("enrol.setup_link", token=token)  # on PUBLIC_BASE_URL, as in emails
    click.echo("\nNo user exists yet. Open this one-time link to set up TeamAround "
               f"(valid for 24 hours):\n\n    {link}\n")


# ---- backups ------------------------------------------------------------------------------

@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_create(path):
    """Write a consistent copy of the database to PATH while people work (SQLite: the
    online backup API; PostgreSQL: pg_dump -Fc), then print its newest signed tree head:
    keep that apart from the backup, to check it with `backup verify --against`."""
    try:
        made = backup.create(path)
    except backup.BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    beside = app_config.keys_beside_data(current_app.instance_path,
                                         current_app.config["SQLALCHEMY_DATABASE_URI"])
    if beside:
        click.echo(f"WARNING: keys sit with the data ({', '.join(map(str, beside))}): do not "
                   "keep them with this backup. Move them apart (README, Configuration).",
                   err=True)
    click.echo(f"Backed up to {made.path} ({made.bytes:,} bytes, "
               f"{plural(made.events, 'audit event')}).")
    if made.head:
        click.echo("Its signed tree head (keep it apart from the backup, to check it later):")
        click.echo(made.head.to_json())


@backup_cli.command("verify")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--against", "against", metavar="HEAD",
              help="The tree head `backup create` printed (the JSON, or a file holding "
                   "it): prove the backup holds that history, unchanged.")
def backup_verify(path, against):
    """Exit 0 if the backup at PATH opens, is whole, and its audit log is intact."""
    head = _read_head(against) if against else None
    try:
        verdict = backup.verify(path, against=head)
    except backup.BackupError as exc:
        click.echo(f"Backup NOT usable: {exc}", err=True)
        sys.exit(1)
    if not verdict.ok:
        where = f" at event {verdict.bad_seq}" if verdict.bad_seq is not None else ""
        click.echo(f"Backup's audit trail BROKEN{where}: {verdict.problem}", err=True)
        sys.exit(1)
    click.echo(f"Backup intact: {plural(verdict.events, 'audit event')} verified"
               + (f"; it holds the {plural(head.tree_size, 'event')} of the head given."
                  if head else "."))


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database now.")
def backup_restore(path, yes):
    """Replace the database with the backup at PATH (stop the web workers and job-queue
    consumers first). Every session is ended and every unused one-time link voided."""
    if not yes:
        click.confirm("This replaces the whole database with the backup. Go on?", abort=True)
    try:
        found = backup.restore(path)
    except backup.BackupError as exc:
        click.echo(f"Nothing was restored: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Restored from {path}. Ended {plural(found['sessions_ended'], 'session')}; "
               f"voided {plural(found['invitations_voided'], 'invitation')}, "
               f"{plural(found['authenticator_links_voided'], 'authenticator link')} and "
               f"{plural(found['setup_links_voided'], 'set-up link')}. Start the workers "
               "and consumers again.")


# ---- keys --------------------------------------------------------------------------------

keys_cli = AppGroup("keys", help="Rotate the keys that encrypt secrets at rest.")


@keys_cli.command("rotate")
def keys_rotate():
    """Encrypt every stored secret under TOTP_ENCRYPTION_KEY (the old key given in
    TOTP_ENCRYPTION_KEY_FALLBACKS); then the old key can be removed. All or nothing."""
    from app.services import key_rotation

    try:
        counts = key_rotation.rotate()
    except ValueError:
        click.echo("Nothing was changed: a stored secret opens with none of the keys given. "
                   "Set the old key in TOTP_ENCRYPTION_KEY_FALLBACKS and try again.", err=True)
        sys.exit(1)
    click.echo(f"Encrypted again under the current key: {plural(sum(counts.values()), 'value')} "
               f"({', '.join(f'{name} {n}' for name, n in counts.items())}). Remove the old "
               "key from TOTP_ENCRYPTION_KEY_FALLBACKS once every worker has the new one.")


def register(app) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(children_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(setup_link)
