"""The authorize redirect with its login and consent page."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer

from ..context import MockContext, mock_context
from ..oauth.flow import (
    ConsentRequest,
    ErrorPage,
    RedirectError,
    check_authorize,
    error_params,
    granted_scopes,
    parse_decision,
    redirect_url,
    success_params,
)
from ..oauth.tokens import mint
from ..people import UserAccount

CONSENT_MAX_AGE = 3600
"""Seconds a consent form stays valid, by the mock's clock."""
SCOPE_DESCRIPTIONS = {"daily": "Daily summaries of sleep, step and heartbeat"}
_SECURITY_HEADERS = {
    # No form-action: Chrome applies it to the redirect after the post, which goes to the client.
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


def _serializer() -> URLSafeSerializer:
    # From the store on each use: every worker signs with the same key, and a reset (a new key) voids old forms.
    return URLSafeSerializer(mock_context().store.secret(), salt="cudis-consent")


def _error_page(page: ErrorPage, status: int = 400) -> Response:
    return _html(render_template("error.html", title=page.title, detail=page.detail), status=status)


def _send_back(url: str) -> Response:
    # Referrer-Policy keeps the consent page's URL (with the client's state) out of the callback's Referer.
    return Response(
        status=302, headers={"Location": url, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


def _send_error(mock: MockContext, error: RedirectError) -> Response:
    return _send_back(redirect_url(error.redirect_uri, error_params(error), mock.config.token_in))


def _grant(mock: MockContext, consent: ConsentRequest, user_id: str, scopes: tuple[str, ...]) -> Response:
    token, record = mint(consent.client.id, user_id, scopes, mock.clock.now(), mock.config.token_lifetime)
    mock.issue_token(record)
    params = success_params(token, scopes, consent.state, mock.config.token_in, mock.config.token_lifetime)
    return _send_back(redirect_url(consent.redirect_uri, params, mock.config.token_in))


def _consent_page(
    mock: MockContext,
    consent: ConsentRequest,
    *,
    problem: str = "",
    selected: str = "",
    username: str = "",
    switched_on: tuple[str, ...] | None = None,
) -> Response:
    signed = _serializer().dumps(
        {
            "client_id": consent.client.id,
            "redirect_uri": consent.redirect_uri,
            "scopes": list(consent.scopes),
            "state": consent.state,
            "issued_at": mock.clock.now(),
        }
    )
    body = render_template(
        "consent.html",
        client=consent.client,
        scopes=consent.scopes,
        switched_on=consent.scopes if switched_on is None else switched_on,
        scope_descriptions=SCOPE_DESCRIPTIONS,
        accounts=list(mock.fixtures.accounts.values()),
        selected_user=selected,
        username=username,
        redirect_uri=consent.redirect_uri,
        lifetime_days=round(mock.config.token_lifetime / 86400),
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
        repeated={key for key in args if len(args.getlist(key)) > 1},
    )
    if isinstance(decision, ErrorPage):
        return _error_page(decision)
    if isinstance(decision, RedirectError):
        return _send_error(mock, decision)
    if mock.config.auto_approve:
        return _grant(mock, decision, mock.config.auto_approve, decision.scopes)
    return _consent_page(mock, decision)


def _signed_consent(mock: MockContext, token: str) -> ConsentRequest | ErrorPage:
    """The authorize request the form was signed for, or why the form cannot be used."""
    forged = ErrorPage(
        "This form cannot be used",
        "It was not issued by this server (or the server has restarted). Go back to the application and sign in again.",
    )
    try:
        payload: Any = _serializer().loads(token)
    except BadSignature:
        return forged
    client = mock.fixtures.clients.get(payload.get("client_id", "")) if isinstance(payload, dict) else None
    if client is None:
        return forged
    age = mock.clock.now() - float(payload.get("issued_at", 0))
    if not 0 <= age <= CONSENT_MAX_AGE:
        return ErrorPage(
            "This form has expired",
            f"Consent forms are valid for {CONSENT_MAX_AGE // 60} minutes."
            " Go back to the application and sign in again.",
        )
    return ConsentRequest(client, payload["redirect_uri"], tuple(payload["scopes"]), payload.get("state"))


def _signed_in_user(mock: MockContext) -> UserAccount | str:
    """The account the form signs in as, or what to fix."""
    username = request.form.get("username", "").strip()
    if username:
        account = mock.fixtures.account_by_username(username)
        if account is None:
            return "No user has that username."
        if account.password == request.form.get("password", ""):
            return account
        return "Wrong password for that username."
    chosen = mock.fixtures.accounts.get(request.form.get("user", ""))
    return chosen if chosen is not None else "Pick a user to sign in as."


def authorize_decision() -> Response:
    mock = mock_context()
    consent = _signed_consent(mock, request.form.get("csrf_token", ""))
    if isinstance(consent, ErrorPage):
        return _error_page(consent, status=403)
    decision = parse_decision(request.form.get("decision"))
    if decision == "deny":
        return _send_error(
            mock, RedirectError(consent.redirect_uri, "access_denied", "the user denied access", consent.state)
        )
    switched_on = granted_scopes(consent.scopes, request.form.getlist("grant"))
    account = _signed_in_user(mock)
    if decision is None or isinstance(account, str):
        problem = "Press Approve or Deny (decision=approve or decision=deny)." if decision is None else str(account)
        return _consent_page(
            mock,
            consent,
            problem=problem,
            selected=request.form.get("user", ""),
            username=request.form.get("username", ""),
            switched_on=switched_on,
        )
    if not switched_on:
        withheld = RedirectError(consent.redirect_uri, "access_denied", "the user granted no scope", consent.state)
        return _send_error(mock, withheld)
    return _grant(mock, consent, account.id, switched_on)


HANDLERS = {
    "authorize": authorize,
    "authorizeDecision": authorize_decision,
}
