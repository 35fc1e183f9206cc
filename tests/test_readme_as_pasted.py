"""The README pasted in order, exactly as printed, the way a newcomer does it on a fresh checkout.

The blocks run one after the other in one shell, from a directory laid out like a checkout after
`make install` (`.venv/` and `examples/`), beside the mock `make run` starts (its command, on its
port 8080). They run in a network namespace of their own, so the README's ports (8080, 8081 for the
second mock, 3000 for the single-page app) are free whatever else this machine runs, and nothing in
the blocks is rewritten. Left out: `make run` and `make test` themselves (the Quickstart test runs
`make run`; `make test` is the gate), and the contract-suite block (its own, slow, test).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .doc_examples import BIN, README, ROOT, section

MARK = "@@@ README block "
SKIPPED = {"Quickstart", "Development", "Contract suite: check any implementation"}
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
_TOKEN = re.compile(r"[A-Z0-9]{32}")


def readme_blocks() -> list[tuple[str, str, str]]:
    """(section, language, body) of every fenced block the newcomer pastes, in the README's order."""
    found = []
    for title in re.findall(r"^## (.+)$", README.read_text(encoding="utf-8"), flags=re.M):
        if title not in SKIPPED:
            found += [(title, lang, body) for lang, body in _FENCE.findall(section(title))]
    return found


def as_pasted(lang: str, body: str) -> str:
    """How the block reaches a shell: sh as it is, Python through the venv's interpreter, a URL opened."""
    if lang == "sh":
        return body
    if lang == "python":
        return f".venv/bin/python - <<'PY'\n{body}PY\n"
    (url,) = body.split()
    return f"curl -s -o /dev/null -w '%{{http_code}}\\n' '{url}'\n"


def expected(body: str) -> list[re.Pattern[str]]:
    """The outputs a block shows in `# ...` comments: an answer up to its `...`, any token for the example's."""
    shown = [line[2:] for line in body.splitlines() if line.startswith("# ") and ("://" in line or line[2] == "{")]
    patterns = []
    for line in shown:
        if line.startswith("{"):
            head = line.split("...", 1)[0].removesuffix("[").removesuffix(",")
            patterns.append(re.compile(re.escape(head) + ".*"))
        elif not line.startswith("then "):
            patterns.append(re.compile(_TOKEN.sub("TOKEN", re.escape(line)).replace("TOKEN", "[A-Z0-9]{32}")))
    return patterns


@pytest.mark.slow
def test_the_readme_pasted_in_order_runs_as_printed(tmp_path: Path) -> None:
    for tool in ("unshare", "ip", "curl"):
        assert shutil.which(tool), f"{tool} missing: run `make browser-deps`"
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".venv").symlink_to(BIN.parent)
    (checkout / "examples").symlink_to(ROOT / "examples")
    blocks = readme_blocks()
    script = [
        "ip link set lo up",
        ".venv/bin/cudis-mock serve > make-run.log 2>&1 &  # what `make run` runs",
        "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
        "curl -s --retry 60 --retry-delay 1 --retry-connrefused -o /dev/null http://127.0.0.1:8080/",
    ]
    for index, (_title, lang, body) in enumerate(blocks):
        script += [f"echo '{MARK}{index}'", as_pasted(lang, body)]
        if "http.server 3000" in body:  # the app it serves, from the mock's origin's point of view
            script.append(
                "curl -s --retry 20 --retry-delay 1 --retry-connrefused http://localhost:3000/ | grep -o 'My ring data'"
            )
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net", "bash", "-euo", "pipefail", "-c", "\n".join(script)],
        cwd=checkout,
        env={k: v for k, v in os.environ.items() if not k.startswith("CUDIS_MOCK_")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = (checkout / "make-run.log").read_text(errors="replace") if (checkout / "make-run.log").exists() else ""
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}\n{log[-2000:]}"
    outputs = re.split(rf"^{re.escape(MARK)}\d+\n", done.stdout, flags=re.M)[1:]
    assert len(outputs) == len(blocks), done.stdout
    for (title, lang, body), output in zip(blocks, outputs, strict=True):
        lines = output.splitlines()
        if lang == "":
            assert lines == ["200"], (title, body, output)  # the authorize URL opens the consent page
        for pattern in expected(body):
            assert any(pattern.fullmatch(line) for line in lines), (title, pattern.pattern, output)
    assert (checkout / "edge-cases" / "README.md").is_file()  # `generate --edge-cases --out edge-cases/`
