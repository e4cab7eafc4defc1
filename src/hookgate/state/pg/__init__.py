"""The PostgreSQL state backend (ADR 0028). Imported only by the decision server and the CLI:
psycopg costs ~90 ms to import, so it never runs on the one-shot hook path."""
