"""After a POST: one answer, :func:`redirect`, for plain forms and htmx alike.

A plain form gets ``303 See Other`` (the browser GETs ``location``; a reload does not post
again). For htmx it depends on where ``location`` is, which the caller says:

- another page (``same_page=False``, the default: a login, a request sent): ``200`` with
  ``HX-Redirect: location``, and htmx loads it as a page (``location.href``);
- the page the form is on (``same_page=True``: a back-office tab, the request being decided):
  ``303`` as for a plain form. htmx 4 posts with ``fetch()``, which follows the 303 by itself
  (htmx never sees it: ``HX-*`` headers on a 3xx are ignored), and swaps what the GET answers
  into the form's ``hx-target``; that GET carries ``HX-Request``, so the page answers the
  fragment the form targets (page and form share that partial). The page stays, no reload; the
  address bar keeps its URL (htmx reads ``response.url`` only for ``hx-push-url``: checked in
  static/htmx-4.0.1.min.js).

``notice`` is a one-shot message for the page at ``location`` (a signed cookie, read there by
:func:`take_notice`: the back-office layout shows it once).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from litestar import Request
from litestar.response import Response

from espaco.settings import Settings
from espaco.web.auth import LoginRequired, read_cookie, set_cookie
from espaco.web.pages import is_fragment_request

NOTICE_COOKIE = "espaco_aviso"
NOTICE_MAX = 1500


def redirect(
    request: Request, location: str, notice: str | None = None, *, same_page: bool = False
) -> Response[str]:
    """Send the browser to ``location`` (see the module's docstring), with ``notice``."""
    if is_fragment_request(request) and not same_page:
        response: Response[str] = Response("", status_code=200, headers={"HX-Redirect": location})
    else:
        response = Response("", status_code=303, headers={"Location": location})
    if notice:
        settings: Settings = request.app.state.settings
        text = notice if len(notice) <= NOTICE_MAX else notice[: NOTICE_MAX - 1] + "…"
        data = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
        set_cookie(response, settings, NOTICE_COOKIE, f"{data}.{_sign(settings, data)}", max_age=60)
    return response


def login_required_handler(request: Request, exc: LoginRequired) -> Response[str]:
    """A guard found no session: to the area's login page. A page asked for by a plain GET in
    the client area (a ticket link in an e-mail, a bookmark) goes along as ``?volta=``, and the
    login sends the client there (:func:`return_path`)."""
    location = exc.login_path
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if (
        exc.login_path == CLIENT_LOGIN
        and request.method == "GET"
        and not is_fragment_request(request)
        and request.url.path != CLIENT_HOME
        and return_path(wanted) is not None
    ):
        location += "?" + urlencode({"volta": wanted})
    return redirect(request, location)


CLIENT_LOGIN = "/entrar"
CLIENT_HOME = "/inicio"
RETURN_MAX = 500
# Where a login may not send the client back to: the doors themselves and what is not a page.
_NO_RETURN = ("/entrar", "/sair", "/admin", "/api/", "/static/", "/agenda/")


def return_path(value: object) -> str | None:
    """``value`` when it is a path of this portal's client area a login may go back to: starts
    with one ``/`` (never ``//host`` or ``/\\host``, which browsers read as another site), no
    scheme, no control character, at most :data:`RETURN_MAX` characters. Else None."""
    if not isinstance(value, str) or not 1 < len(value) <= RETURN_MAX:
        return None
    if not value.startswith("/") or value[1] in "/\\" or "\\" in value:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return None if value.startswith(_NO_RETURN) else value


def take_notice(request: Request, settings: Settings) -> str | None:
    """The notice a redirect left for this page, when its signature holds."""
    raw = read_cookie(request, NOTICE_COOKIE) or ""
    data, _, signature = raw.partition(".")
    if not data or not hmac.compare_digest(signature, _sign(settings, data)):
        return None
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode()
    except ValueError:
        return None


def _sign(settings: Settings, data: str) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"notice:{data}".encode(), hashlib.sha256
    ).hexdigest()[:32]
