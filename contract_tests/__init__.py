"""cudis-contract: check any CUDIS implementation against openapi/cudis-v1.yaml."""
