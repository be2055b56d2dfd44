"""The web commands: user add, token add, webhook."""

from __future__ import annotations

from typer.testing import CliRunner

from livebase.cli import app
from livebase.store.workspace import Workspace
from livebase.web import auth
from livebase.web.webhook_routes import getcourse_token


def test_user_token_and_webhook_commands(ws):
    root = str(ws.root)
    ws.close()
    runner = CliRunner()
    r = runner.invoke(
        app, ["user", "add", "head", "--password-stdin", "-w", root], input="long-enough-1\n"
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["token", "add", "bi", "--lang", "en", "-w", root])
    assert r.exit_code == 0, r.output
    token = r.output.strip().rsplit(" ", 1)[-1]
    r = runner.invoke(app, ["webhook", "-w", root])
    assert r.exit_code == 0, r.output
    store = Workspace.open(root)
    try:
        assert auth.check_login(store, "head", "long-enough-1")
        assert auth.check_token(store, token) == "bi"
        assert getcourse_token(auth.workspace_secret(store)) in r.output.replace("\n", "")
    finally:
        store.close()
    # a password below the policy is refused without echoing it
    r = runner.invoke(app, ["user", "add", "x", "--password-stdin", "-w", root], input="short\n")
    assert r.exit_code != 0
    assert "short" not in r.output
