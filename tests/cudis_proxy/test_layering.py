"""The proxy needs only the base install; the mock imports neither the proxy nor the suite until `proxy` runs."""

from __future__ import annotations

import subprocess
import sys

BLOCK_EXTRAS = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("schemathesis", "hypothesis", "pytest", "gunicorn"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK_EXTRAS + code], capture_output=True, text=True, check=False)


def test_the_proxy_imports_without_the_contract_extra() -> None:
    result = _python("import cudis_proxy.app, cudis_proxy.serve; print('imported')")
    assert result.returncode == 0 and result.stdout.strip() == "imported", result.stderr


def test_the_mock_imports_neither_the_proxy_nor_the_suite() -> None:
    code = "import mock_server.cli, mock_server.app; print(sorted({m.partition('.')[0] for m in sys.modules}))"
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert "cudis_proxy" not in result.stdout and "contract_tests" not in result.stdout
