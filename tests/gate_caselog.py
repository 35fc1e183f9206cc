"""A pytest plugin for tests/test_gate.py: write every schemathesis case a run sends to $CUDIS_CASELOG."""

from __future__ import annotations

import os
import re
from typing import Any

from schemathesis import Case

_call_and_validate = Case.call_and_validate
_VOLATILE = re.compile(r"Bearer [A-Z0-9]+| at 0x[0-9a-f]+")


def _logged(self: Case, *args: Any, **kwargs: Any) -> Any:
    line = f"{self.operation.label} {self.path_parameters} {self.query} {self.body!r} {self.headers}"
    with open(os.environ["CUDIS_CASELOG"], "a", encoding="utf-8") as log:
        log.write(_VOLATILE.sub("", line) + "\n")  # tokens are minted anew on each run
    return _call_and_validate(self, *args, **kwargs)


Case.call_and_validate = _logged  # type: ignore[method-assign]
