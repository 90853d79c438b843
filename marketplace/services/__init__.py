"""Business rules: no request or session; the service commits, helpers only flush."""
