-- asyncgate schema for PostgreSQL. Applied on start unless asyncgate.db.create-schema = false
-- (ASYNCGATE_DB_CREATE_SCHEMA); operators who apply it themselves run, as the owner of the schema:
--   psql "postgresql://user@host:5432/asyncgate" -1 -v ON_ERROR_STOP=1 -f schema.sql
-- (-1: one transaction, which the lock below needs). Every statement is idempotent.

-- Nodes starting together against an empty database would race on CREATE ... IF NOT EXISTS
-- (it is not atomic: the loser fails with a unique violation in the catalogue). This lock, held
-- until the transaction ends, makes them apply the schema one after the other. The number is
-- arbitrary; it only has to be asyncgate's own.
-- An index is created only where it is missing: CREATE INDEX IF NOT EXISTS locks its table in
-- SHARE mode before it looks, and a node joining a running cluster then deadlocked with the
-- view's projection, which writes the view and the offset table in one transaction.
SELECT pg_advisory_xact_lock(7306411928450413377);

-- The journal tables of akka-persistence-jdbc 5.2.1 (schema/postgres/postgres-create-schema.sql
-- in its jar), with IF NOT EXISTS on the index. Its durable_state table is left out: asyncgate
-- keeps no durable state.
CREATE TABLE IF NOT EXISTS event_journal (
    ordering BIGSERIAL,
    persistence_id VARCHAR(255) NOT NULL,
    sequence_number BIGINT NOT NULL,
    deleted BOOLEAN DEFAULT FALSE NOT NULL,
    writer VARCHAR(255) NOT NULL,
    write_timestamp BIGINT,
    adapter_manifest VARCHAR(255),
    event_ser_id INTEGER NOT NULL,
    event_ser_manifest VARCHAR(255) NOT NULL,
    event_payload BYTEA NOT NULL,
    meta_ser_id INTEGER,
    meta_ser_manifest VARCHAR(255),
    meta_payload BYTEA,
    PRIMARY KEY(persistence_id, sequence_number)
);

DO $$ BEGIN IF to_regclass('event_journal_ordering_idx') IS NULL
  THEN CREATE UNIQUE INDEX event_journal_ordering_idx ON event_journal(ordering); END IF; END $$;

CREATE TABLE IF NOT EXISTS event_tag (
    event_id BIGINT,
    tag VARCHAR(256),
    PRIMARY KEY(event_id, tag),
    CONSTRAINT fk_event_journal
      FOREIGN KEY(event_id)
      REFERENCES event_journal(ordering)
      ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS snapshot (
    persistence_id VARCHAR(255) NOT NULL,
    sequence_number BIGINT NOT NULL,
    created BIGINT NOT NULL,
    snapshot_ser_id INTEGER NOT NULL,
    snapshot_ser_manifest VARCHAR(255) NOT NULL,
    snapshot_payload BYTEA NOT NULL,
    meta_ser_id INTEGER,
    meta_ser_manifest VARCHAR(255),
    meta_payload BYTEA,
    PRIMARY KEY(persistence_id, sequence_number)
);

-- The ResponseBuffer view: what status, result and list requests read. As in db/h2/schema.sql,
-- with TEXT for CLOB and BYTEA for BLOB.
CREATE TABLE IF NOT EXISTS operation_view (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    operation_type VARCHAR(128) NOT NULL,
    principal VARCHAR(256) NOT NULL,
    status VARCHAR(16) NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    progress TEXT NOT NULL,
    -- the sequence number of the last event applied: reads add the journal's newer events
    seq_nr BIGINT NOT NULL,
    -- purged operations answer 410 to a read by id and are left out of listings
    purged BOOLEAN DEFAULT FALSE NOT NULL,
    result_content_type VARCHAR(255),
    result_file_name VARCHAR(255),
    result_body BYTEA
);

DO $$ BEGIN IF to_regclass('operation_view_listing_idx') IS NULL
  THEN CREATE INDEX operation_view_listing_idx ON operation_view (principal, created_at DESC, id DESC); END IF; END $$;

-- Half of each page left for the next versions of its rows: the projection rewrites a row a few
-- times in its first seconds, and an update that fits on the row's own page (HOT) writes no index
-- entries. Measured with 3 updates per row: 100 % HOT and half the table and index size of the
-- default (100: no update HOT). Applies to pages written from then on; skipped once set (no
-- catalogue write and table lock on every start).
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_class WHERE oid = 'operation_view'::regclass
      AND NOT coalesce(reloptions @> ARRAY['fillfactor=50'], false))
  THEN ALTER TABLE operation_view SET (fillfactor = 50); END IF; END $$;

-- Offsets of the view's projection, as akka-projection-jdbc 1.4.0 (postgres-dialect) expects them.
CREATE TABLE IF NOT EXISTS akka_projection_offset_store (
    projection_name VARCHAR(255) NOT NULL,
    projection_key VARCHAR(255) NOT NULL,
    current_offset VARCHAR(255) NOT NULL,
    manifest VARCHAR(4) NOT NULL,
    mergeable BOOLEAN NOT NULL,
    last_updated BIGINT NOT NULL,
    PRIMARY KEY(projection_name, projection_key)
);

DO $$ BEGIN IF to_regclass('akka_projection_name_index') IS NULL
  THEN CREATE INDEX akka_projection_name_index ON akka_projection_offset_store (projection_name); END IF; END $$;

CREATE TABLE IF NOT EXISTS akka_projection_management (
    projection_name VARCHAR(255) NOT NULL,
    projection_key VARCHAR(255) NOT NULL,
    paused BOOLEAN NOT NULL,
    last_updated BIGINT NOT NULL,
    PRIMARY KEY(projection_name, projection_key)
);
