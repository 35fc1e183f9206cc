"""The one contract engine: an exchange and what was meant by it in, the rules it broke out, each with its family.

Pure: it sends nothing. The runner (behind the CLI and the pytest plugin) feeds it the
exchanges it sends; `schemathesis_checks` feeds it the ones schemathesis sends.
"""

from __future__ import annotations

from collections.abc import Sequence

from .cases import Case
from .checks import Check, Context, registered
from .findings import Break, Family
from .transport import Exchange


def judge(
    ctx: Context, exchange: Exchange, case: Case, checks: Sequence[Check] | None = None
) -> list[tuple[Family, Break]]:
    """Run the registered checks (or `checks`) on one exchange, layer by layer; the breaks with their families."""
    return [
        (registered_check.family, broke)
        for registered_check in (registered() if checks is None else checks)
        for broke in registered_check.function(ctx, exchange, case)
    ]
