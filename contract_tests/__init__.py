"""cudis-contract: check any CUDIS implementation against openapi/cudis-v1.yaml.

The package itself imports nothing, so the pytest plugin it registers costs nothing where the
suite is not used. Its parts: `runner` (the engine), `verdicts` (the checks), `strategies`
(hypothesis strategies for your own tests: `from contract_tests import strategies as cs`),
`cli` (`cudis-contract`) and `pytest_plugin`.
"""
