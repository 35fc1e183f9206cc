"""cudis-contract: check any CUDIS implementation against openapi/cudis-v1.yaml.

The package itself imports nothing, so the pytest plugin it registers costs nothing where the
suite is not used. Its parts: `checks` (one module a family, each check registered with its
family), `engine` (one exchange through the registered checks), `cases` (what each request
meant), `runner` (what the suite sends, judged by the engine), `schemathesis_checks` (the same
checks inside schemathesis), `report`, `strategies` (hypothesis strategies for your own tests:
`from contract_tests import strategies as cs`), `cli` (`cudis-contract`) and `pytest_plugin`.
"""
