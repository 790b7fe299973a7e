"""Create, list and revoke the registry's API tokens (``Authorization: Bearer <token>``).

    cordtrack token create USERNAME [--name LAPTOP]   prints the token once; only its hash is kept
    cordtrack token list [USERNAME]                   prefix, owner, name, created, last used, state
    cordtrack token revoke USERNAME [PREFIX]          every active token of the user, or one

The database is the one named by DATABASE_URL (default var/cordtrack.sqlite3). Creating and
revoking are in the audit trail (by the system, naming the OS user who ran the command).

exit status: 0 done, 1 no such user or token, 2 usage error
"""

from __future__ import annotations

import argparse
import sys

NAME = "token"
HELP = "create, list or revoke API tokens"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new token for USERNAME (printed once)")
    create.add_argument("username")
    create.add_argument("--name", default="", help="what the token is for (at most 60 characters)")
    listing = actions.add_parser("list", help="tokens (of USERNAME, or of everyone)")
    listing.add_argument("username", nargs="?")
    revoke = actions.add_parser("revoke", help="revoke USERNAME's tokens (or the one of PREFIX)")
    revoke.add_argument("username")
    revoke.add_argument("prefix", nargs="?", help="the token's first characters, as listed")


def run(args: argparse.Namespace) -> int:

    from . import setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from cordtrack.server.accounts.models import User
    from cordtrack.server.api.models import ApiToken
    from cordtrack.server.services import api_tokens

    user = None
    if getattr(args, "username", None):
        user = User.objects.filter(username=args.username).first()
        if user is None:
            print(f"cordtrack token: no user {args.username!r}", file=sys.stderr)
            return 1
    if args.action == "create":
        assert user is not None
        try:
            _, secret = api_tokens.create_token(user, name=args.name, reason=_reason("create"))
        except ValidationError as exc:
            print(f"cordtrack token: {'; '.join(exc.messages)}", file=sys.stderr)
            return 1
        print(secret)
        print(
            "Keep it now: it is not shown again. Use: Authorization: Bearer <token>",
            file=sys.stderr,
        )
        return 0
    if args.action == "list":
        tokens = ApiToken.objects.select_related("user")
        if user is not None:
            tokens = tokens.filter(user=user)
        for t in tokens:
            state = "revoked" if t.revoked_at else "active"
            used = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never"
            print(
                f"{t.prefix}\t{t.user.username}\t{t.name or '-'}\t"
                f"{t.created_at.isoformat(timespec='seconds')}\t{used}\t{state}"
            )
        return 0
    assert user is not None
    count = api_tokens.revoke_tokens(user, prefix=args.prefix, reason=_reason("revoke"))
    print(f"{count} token(s) revoked")
    return 0 if count or args.prefix is None else 1


def _reason(action: str) -> str:
    from . import run_by

    return f"cordtrack token {action}, {run_by()}"
