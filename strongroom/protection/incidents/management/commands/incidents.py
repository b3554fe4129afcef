"""`strongroom incidents list|scope|canaries plant N|list|secret-key`: incidents from the
command line, the breach scope ("whose data did this account, address or token see
between T1 and T2?"), the canary records (fake customers whose touch raises the alarm),
and the secret key's rotation for an incident (as on its page: the command line is the
server's operator, so no second factor is asked; audited as done by the system).

Exit status 2 for bad input (an unknown actor, T2 before T1, a time without a zone)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from strongroom.protection.audit.events import Actor
from strongroom.protection.incidents import canaries, rekey, selectors
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.scope import ScopeQuery, scope_query
from strongroom.publicurl import public_url


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _when(value: str, name: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(f"{name}: {value!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise _fail(f"{name}: give a time zone (e.g. {value}Z)")
    return at.astimezone(dt.UTC)


class Command(BaseCommand):
    help = "Incident response: list incidents; the breach scope of an actor, address or token."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="every incident, newest first")
        lst.add_argument("--format", choices=["text", "json"], default="text")
        sco = sub.add_parser("scope", help="which customers' data an actor saw in a window")
        who = sco.add_mutually_exclusive_group(required=True)
        who.add_argument("--actor", metavar="EMAIL", help="a staff (or customer) account")
        who.add_argument("--ip", metavar="ADDRESS", help="requests from this address")
        who.add_argument("--token", metavar="ID", help="an API token id")
        sco.add_argument("--since", required=True, metavar="ISO")
        sco.add_argument("--until", required=True, metavar="ISO")
        sco.add_argument("--format", choices=["text", "json"], default="text")
        can = sub.add_parser("canaries", help="plant or list canary customer records")
        csub = can.add_subparsers(dest="canary_action", required=True)
        plant = csub.add_parser("plant", help="plant N fake customers")
        plant.add_argument("count", type=int, metavar="N")
        plant.add_argument("--domain", default="",
                           help="their mail domain, one whose mail you read (default: the "
                                "store's public host)")
        csub.add_parser("list", help="the planted canaries (account, address, joined)")
        key = sub.add_parser("secret-key", help="rotate the secret key for an incident, or "
                             "show the earlier keys still accepted (never the keys)")
        key.add_argument("incident", nargs="?", metavar="INC-N", help="the incident (number)")
        how = key.add_mutually_exclusive_group()
        how.add_argument("--keep-days", type=int, metavar="N",
                         help="routine: a new key, the old one accepted N more days")
        how.add_argument("--leaked", action="store_true",
                         help="leaked: a new key, no fallback (everyone signs in again)")
        how.add_argument("--drop-fallbacks", action="store_true",
                         help="refuse the earlier keys from now on")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action.replace('-', '_')}")(**options)
        except IncidentError as exc:
            raise _fail(str(exc)) from None

    def _list(self, *, format: str, **_: object) -> None:  # noqa: A002
        rows = [{"number": i.number, "id": str(i.pk), "title": i.title, "type": i.kind,
                 "severity": i.severity, "status": i.status,
                 "became_aware_at": i.became_aware_at.isoformat(),
                 "deadline": i.deadline.isoformat(), "exercise": i.exercise}
                for i in selectors.incidents_list()]
        if format == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("no incidents")
        for r in rows:
            label = f"{'EXERCISE' if r['exercise'] else 'INC'}-{r['number']}"
            self.stdout.write(f"{label}  {r['status']:<10} {r['severity']:<8} "
                              f"{r['type']:<18} aware {r['became_aware_at']}  {r['title']}")

    def _canaries(self, *, canary_action: str, count: int = 0, domain: str = "",
                  **_: object) -> None:
        if canary_action == "plant":
            domain = domain or (urlsplit(public_url()).hostname or "")
            done = canaries.canaries_plant(count=count, domain=domain, by=None)
            self.stdout.write(f"{done} canaries planted; `strongroom incidents canaries list` "
                              "shows them")
            return
        rows = canaries.canaries_list()
        if not rows:
            self.stdout.write("no canaries planted")
        for row in rows:
            self.stdout.write(f"{row.account_id}  {row.email}  joined {row.joined:%Y-%m-%d}")

    def _secret_key(self, *, incident: str | None, keep_days: int | None, leaked: bool,
                    drop_fallbacks: bool, **_: object) -> None:
        if keep_days is None and not leaked and not drop_fallbacks:
            for f in rekey.secret_key_fallbacks_status():
                self.stdout.write(f"retired {f.retired_at:%Y-%m-%d %H:%M} UTC, accepted until "
                                  f"{f.until:%Y-%m-%d %H:%M} UTC")
            return
        number = (incident or "").upper().removeprefix("INC-").removeprefix("EXERCISE-")
        found = (selectors.incidents_list().filter(number=int(number)).first()
                 if number.isdigit() else None)
        if found is None:
            raise _fail(f"no incident {incident!r}: give its number, e.g. INC-3 "
                        "(`strongroom incidents list`)")
        by = Actor.system("command line")
        if found.exercise:
            self.stdout.write("an exercise: the action is recorded on its timeline, not done")
        if leaked:
            ended = rekey.contain_secret_key_rotate(incident=found, by=by)
            self.stdout.write(f"secret key rotated without a fallback: {ended} sessions ended")
        elif drop_fallbacks:
            n = rekey.contain_secret_key_fallbacks_drop(incident=found, by=by)
            self.stdout.write(f"{n} earlier secret keys refused from now on")
        else:
            until = rekey.contain_secret_key_roll(incident=found, by=by, days=keep_days)
            if until is not None:
                self.stdout.write("secret key rotated; the old one accepted until "
                                  f"{until:%Y-%m-%d %H:%M} UTC")

    def _scope(self, *, actor: str | None, ip: str | None, token: str | None, since: str,
               until: str, format: str, **_: object) -> None:  # noqa: A002
        kind, value = next((k, v) for k, v in (("actor", actor), ("ip", ip), ("token", token))
                           if v)
        query = ScopeQuery(kind, value, _when(since, "--since"), _when(until, "--until"))
        if query.until <= query.since:
            raise _fail("--until must be after --since")
        found = scope_query(query=query)
        fake = canaries.canary_subject_ids()
        affected = [a for a in found if a.subject_id not in fake]
        if format == "json":
            self.stdout.write(json.dumps({
                "query": {"kind": kind, "value": value, "since": query.since.isoformat(),
                          "until": query.until.isoformat()},
                "customers": [{"subject_id": str(a.subject_id), "events": a.events,
                               "categories": list(a.categories),
                               "first_at": a.first_at.isoformat(),
                               "last_at": a.last_at.isoformat()} for a in affected]},
                indent=2))
            return
        for a in affected:
            self.stdout.write(f"{a.subject_id}  {a.events:>6} events  "
                              f"{','.join(a.categories) or '-'}")
        self.stderr.write(f"{len(affected)} customers"
                          + (f" ({len(found) - len(affected)} canary records left out)"
                             if len(found) != len(affected) else ""))
