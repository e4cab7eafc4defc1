-- hookgate shared state, schema 1 (ADR 0028). Applied by `hookgate state migrate`.
-- One database for many repositories: every row carries its repository's id.

CREATE TABLE hookgate_repositories (
    id      bigserial PRIMARY KEY,
    ident   text NOT NULL UNIQUE,            -- state.yaml `repository:` (committed in .hookgate/)
    created timestamptz NOT NULL DEFAULT now()
);

-- Implicit write leases (ADR 0013/0022), one row per (repository, repository-relative key).
-- Keys are bytes (a path need not be UTF-8). Times are epoch seconds of the DATABASE's clock.
CREATE TABLE hookgate_leases (
    repo     bigint NOT NULL REFERENCES hookgate_repositories(id),
    key      bytea  NOT NULL,
    session  text   NOT NULL,
    platform text   NOT NULL DEFAULT '',
    since    double precision NOT NULL,
    renewed  double precision NOT NULL,
    expires  double precision NOT NULL,
    via      text   NOT NULL DEFAULT '',
    ttl      double precision NOT NULL,
    wt       text,
    branch   text,
    PRIMARY KEY (repo, key)
);
CREATE INDEX hookgate_leases_session ON hookgate_leases (repo, session);

-- Claims, their queue and pre-emption notices: the coordination document of ADR 0013 without
-- its leases, as ASCII JSON text (jsonb would refuse a non-UTF-8 path's escapes); `ver` moves on
-- every change, so a lease take can tell that the claims it was checked against changed.
CREATE TABLE hookgate_coord (
    repo bigint PRIMARY KEY REFERENCES hookgate_repositories(id),
    doc  text   NOT NULL,
    ver  bigint NOT NULL DEFAULT 0
);

-- Approval requests (ADR 0012): the request as ASCII JSON, with the columns queries need.
CREATE TABLE hookgate_approvals (
    repo    bigint NOT NULL REFERENCES hookgate_repositories(id),
    id      text   NOT NULL,
    digest  text   NOT NULL,
    status  text   NOT NULL,
    created double precision NOT NULL,
    doc     text   NOT NULL,
    PRIMARY KEY (repo, id)
);
CREATE INDEX hookgate_approvals_digest ON hookgate_approvals (repo, digest);

-- The ledger: one hash chain per repository (ADR 0004's records, byte for byte), append-only.
CREATE TABLE hookgate_ledger (
    repo   bigint NOT NULL REFERENCES hookgate_repositories(id),
    seq    bigint NOT NULL,
    rec_id text,
    db_ts  timestamptz NOT NULL DEFAULT clock_timestamp(),
    line   text NOT NULL,
    hash   text NOT NULL,
    PRIMARY KEY (repo, seq),
    UNIQUE (repo, rec_id)
);

CREATE FUNCTION hookgate_ledger_no_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hookgate_ledger is append-only (ADR 0028)';
END $$;
CREATE TRIGGER hookgate_ledger_append_only BEFORE UPDATE OR DELETE ON hookgate_ledger
    FOR EACH ROW EXECUTE FUNCTION hookgate_ledger_no_change();

-- The decision servers' WAL flush barrier (ADR 0028): a synchronous commit flushes the WAL only
-- when its transaction wrote some, so the barrier writes a row of its own (one per connection).
CREATE TABLE hookgate_flush (
    pid int    PRIMARY KEY,
    n   bigint NOT NULL
);

CREATE FUNCTION hookgate_now() RETURNS double precision LANGUAGE sql AS
$$ SELECT extract(epoch FROM clock_timestamp())::double precision $$;

-- Append one record to its repository's chain, under a transaction-level advisory lock.
-- The client sends the record's canonical JSON with a placeholder for `prev` (p_t1) and with
-- placeholders for `prev` and `hash` (p_t2); the chain link is made here, from the last row:
-- hash = sha256(prev || canonical(record with prev)). A record id already in the chain is not
-- appended again (an outbox shipped twice): its row is returned with dup = true.
CREATE FUNCTION hookgate_ledger_append(p_repo bigint, p_rec_id text, p_t1 text, p_t2 text,
                                       p_p1 text, p_p2 text)
RETURNS TABLE (seq bigint, hash text, dup boolean) LANGUAGE plpgsql AS $$
DECLARE
    v_prev text;
    v_seq  bigint;
    v_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(28001, p_repo::int);
    IF p_rec_id IS NOT NULL THEN
        SELECT l.seq, l.hash INTO v_seq, v_hash FROM hookgate_ledger l
         WHERE l.repo = p_repo AND l.rec_id = p_rec_id;
        IF FOUND THEN
            RETURN QUERY SELECT v_seq, v_hash, true;
            RETURN;
        END IF;
    END IF;
    SELECT l.seq, l.hash INTO v_seq, v_prev FROM hookgate_ledger l
     WHERE l.repo = p_repo ORDER BY l.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        v_seq := 0;
        v_prev := repeat('0', 64);
    END IF;
    v_hash := encode(sha256(convert_to(v_prev || replace(p_t1, p_p1, v_prev), 'UTF8')), 'hex');
    INSERT INTO hookgate_ledger (repo, seq, rec_id, line, hash)
    VALUES (p_repo, v_seq + 1, p_rec_id, replace(replace(p_t2, p_p1, v_prev), p_p2, v_hash), v_hash);
    RETURN QUERY SELECT v_seq + 1, v_hash, false;
END $$;

-- Take or renew one session's leases on some keys: one round trip, decided here.
-- Under the repository's coordination lock: if another session holds a live lease on any key
-- (the database's clock), nothing changes and those leases come back (status 'held'); if the
-- claims document changed since the caller checked it (p_coord_ver), nothing changes
-- ('stale': the caller checks again); else every key is leased to p_session ('granted').
CREATE FUNCTION hookgate_take_leases(p_repo bigint, p_keys bytea[], p_session text, p_platform text,
                                     p_via text, p_ttl double precision, p_wt text, p_branch text,
                                     p_coord_ver bigint)
RETURNS TABLE (status text, key bytea, session text, platform text, since double precision,
               renewed double precision, expires double precision, via text, ttl double precision,
               wt text, branch text, now double precision) LANGUAGE plpgsql AS $$
DECLARE
    t double precision;
    v_ver bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(28002, p_repo::int);
    t := hookgate_now();
    IF EXISTS (SELECT 1 FROM hookgate_leases l WHERE l.repo = p_repo AND l.key = ANY (p_keys)
                AND l.expires > t AND l.session <> p_session) THEN
        RETURN QUERY SELECT 'held'::text, l.key, l.session, l.platform, l.since, l.renewed, l.expires,
                            l.via, l.ttl, l.wt, l.branch, t
                       FROM hookgate_leases l
                      WHERE l.repo = p_repo AND l.key = ANY (p_keys) AND l.expires > t
                        AND l.session <> p_session;
        RETURN;
    END IF;
    SELECT c.ver INTO v_ver FROM hookgate_coord c WHERE c.repo = p_repo;
    IF COALESCE(v_ver, 0) <> COALESCE(p_coord_ver, 0) THEN
        RETURN QUERY SELECT 'stale'::text, NULL::bytea, NULL::text, NULL::text, NULL::float8, NULL::float8,
                            NULL::float8, NULL::text, NULL::float8, NULL::text, NULL::text, t;
        RETURN;
    END IF;
    INSERT INTO hookgate_leases AS l (repo, key, session, platform, since, renewed, expires, via, ttl, wt, branch)
    SELECT p_repo, k, p_session, p_platform, t, t, t + p_ttl, p_via, p_ttl, p_wt, p_branch
      FROM unnest(p_keys) AS k
    ON CONFLICT ON CONSTRAINT hookgate_leases_pkey DO UPDATE
       SET since = CASE WHEN l.session = EXCLUDED.session AND l.expires > t THEN l.since ELSE t END,
           session = EXCLUDED.session, platform = EXCLUDED.platform, renewed = t,
           expires = EXCLUDED.expires, via = EXCLUDED.via, ttl = EXCLUDED.ttl,
           wt = COALESCE(EXCLUDED.wt, l.wt), branch = COALESCE(EXCLUDED.branch, l.branch);
    RETURN QUERY SELECT 'granted'::text, NULL::bytea, p_session, p_platform, t, t, t + p_ttl, p_via, p_ttl,
                        p_wt, p_branch, t;
END $$;
