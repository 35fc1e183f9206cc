"""The authorize redirect with its login and consent page."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..context import MockContext, mock_context
from ..fixtures import UserAccount
from ..oauth_flow import ConsentRequest, ErrorPage, RedirectError, check_authorize, error_params, redirect_url
from ..tokens import mint

CONSENT_MAX_AGE = 3600
SCOPE_DESCRIPTIONS = {"daily": "Daily summaries of sleep, step and heartbeat"}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/html", headers=_SECURITY_HEADERS)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="cudis-consent")


def _error_page(page: ErrorPage, status: int = 400) -> Response:
    return _html(render_template("error.html", title=page.title, detail=page.detail), status=status)


def _send_back(url: str) -> Response:
    response = Response(status=302, headers={"Location": url, "Cache-Control": "no-store"})
    return response


def _grant(mock: MockContext, consent: ConsentRequest, user_id: str, scopes: tuple[str, ...]) -> Response:
    now = mock.clock.now()
    token, record = mint(consent.client.id, user_id, scopes, now, mock.config.token_lifetime)
    mock.store.add_token(record)
    params = {"access_token": token, "scope": "+".join(scopes)}
    if mock.config.token_in == "fragment":
        params.update(token_type="bearer", expires_in=str(mock.config.token_lifetime))
    if consent.state is not None:
        params["state"] = consent.state
    return _send_back(redirect_url(consent.redirect_uri, params, mock.config.token_in))


def _consent_page(mock: MockContext, consent: ConsentRequest, problem: str = "", selected: str = "") -> Response:
    signed = _serializer().dumps(
        {
            "client_id": consent.client.id,
            "redirect_uri": consent.redirect_uri,
            "scopes": list(consent.scopes),
            "state": consent.state,
        }
    )
    body = render_template(
        "consent.html",
        client=consent.client,
        scopes=consent.scopes,
        scope_descriptions=SCOPE_DESCRIPTIONS,
        accounts=list(mock.fixtures.accounts.values()),
        selected_user=selected,
        redirect_uri=consent.redirect_uri,
        csrf_token=signed,
        problem=problem,
    )
    return _html(body, status=200)


def authorize() -> Response:
    mock = mock_context()
    args = request.args
    decision = check_authorize(
        mock.fixtures.clients,
        args.get("response_type"),
        args.get("client_id"),
        args.get("redirect_uri"),
        args.get("scope"),
        args.get("state"),
    )
    if isinstance(decision, ErrorPage):
        return _error_page(decision)
    if isinstance(decision, RedirectError):
        return _send_back(redirect_url(decision.redirect_uri, error_params(decision), mock.config.token_in))
    if mock.config.auto_approve:
        return _grant(mock, decision, mock.config.auto_approve, decision.scopes)
    return _consent_page(mock, decision)


def _signed_consent(mock: MockContext, token: str) -> ConsentRequest | None:
    try:
        payload: dict[str, Any] = _serializer().loads(token, max_age=CONSENT_MAX_AGE)
    except BadSignature:
        return None
    client = mock.fixtures.clients.get(payload.get("client_id", ""))
    if client is None:
        return None
    return ConsentRequest(client, payload["redirect_uri"], tuple(payload["scopes"]), payload.get("state"))


def _signed_in_user(mock: MockContext) -> UserAccount | str | None:
    """The account the form signs in as, None if unknown, or a message for a wrong password."""
    username = request.form.get("username", "").strip()
    if username:
        for account in mock.fixtures.accounts.values():
            if account.username == username:
                if account.password == request.form.get("password", ""):
                    return account
                return "Wrong password for that username."
        return "No user has that username."
    return mock.fixtures.accounts.get(request.form.get("user", ""))


def authorize_decision() -> Response:
    mock = mock_context()
    consent = _signed_consent(mock, request.form.get("csrf_token", ""))
    if consent is None:
        expired = ErrorPage("This form has expired", "Go back to the application and start signing in again.")
        return _error_page(expired, status=403)
    if request.form.get("decision") != "approve":
        denied = RedirectError(consent.redirect_uri, "access_denied", "the user denied access", consent.state)
        return _send_back(redirect_url(consent.redirect_uri, error_params(denied), mock.config.token_in))
    account = _signed_in_user(mock)
    if isinstance(account, str) or account is None:
        problem = account if isinstance(account, str) else "Pick a user to sign in as."
        return _consent_page(mock, consent, problem=problem)
    granted = tuple(s for s in consent.scopes if s in request.form.getlist("grant"))
    if not granted:
        withheld = RedirectError(consent.redirect_uri, "access_denied", "the user granted no scope", consent.state)
        return _send_back(redirect_url(consent.redirect_uri, error_params(withheld), mock.config.token_in))
    return _grant(mock, consent, account.id, granted)


HANDLERS = {
    "authorize": authorize,
    "authorizeDecision": authorize_decision,
}
