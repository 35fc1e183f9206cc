"""The HTTP edge: envelopes and typed errors, body and range parsing, the admin guard, fault answers,
the request journal, log masking and the self-check. Views and hooks call in here; nothing here
holds state of its own."""
