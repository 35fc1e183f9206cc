"""The client-side ("implicit") OAuth flow: authorize-request checks, redirects, and access tokens."""
