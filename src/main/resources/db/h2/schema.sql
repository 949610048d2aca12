-- asyncgate schema for H2. Applied on start when asyncgate.db.create-schema = true; every
-- statement is idempotent. The journal tables are those of akka-persistence-jdbc 5.2.1
-- (schema/h2/h2-create-schema.sql in its jar), with IF NOT EXISTS added to the index.

CREATE TABLE IF NOT EXISTS "event_journal" (
    "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
    "deleted" BOOLEAN DEFAULT false NOT NULL,
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "writer" VARCHAR NOT NULL,
    "write_timestamp" BIGINT NOT NULL,
    "adapter_manifest" VARCHAR NOT NULL,
    "event_payload" BLOB NOT NULL,
    "event_ser_id" INTEGER NOT NULL,
    "event_ser_manifest" VARCHAR NOT NULL,
    "meta_payload" BLOB,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    PRIMARY KEY("persistence_id","sequence_number")
);

CREATE UNIQUE INDEX IF NOT EXISTS "event_journal_ordering_idx" ON "event_journal" ("ordering");

-- "ordering" values are handed out in blocks: without a cache H2 commits the sequence on its own
-- for every inserted event, and with WRITE_DELAY=0 each such commit writes a chunk of the file (a
-- third of the node's CPU in a burst). A kill -9 leaves the rest of a block unused, a gap the read
-- journal would wait out (10 s) before the view moved on; the node therefore continues the column
-- right after the highest value seen whenever it opens the database (Database.continueJournalOrdering).
-- Also applied to databases created before this line (which had NO CACHE).
ALTER TABLE "event_journal" ALTER COLUMN "ordering" SET CACHE 1000;

CREATE TABLE IF NOT EXISTS "event_tag" (
    "event_id" BIGINT NOT NULL,
    "tag" VARCHAR NOT NULL,
    PRIMARY KEY("event_id", "tag"),
    CONSTRAINT fk_event_journal
      FOREIGN KEY("event_id")
      REFERENCES "event_journal"("ordering")
      ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS "snapshot" (
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "created" BIGINT NOT NULL,
    "snapshot_ser_id" INTEGER NOT NULL,
    "snapshot_ser_manifest" VARCHAR NOT NULL,
    "snapshot_payload" BLOB NOT NULL,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    "meta_payload" BLOB,
    PRIMARY KEY("persistence_id","sequence_number")
);

-- The ResponseBuffer view: what status, result and list requests read.
CREATE TABLE IF NOT EXISTS operation_view (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    operation_type VARCHAR(128) NOT NULL,
    principal VARCHAR(256) NOT NULL,
    status VARCHAR(16) NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    progress CLOB NOT NULL,
    -- the sequence number of the last event applied: reads add the journal's newer events
    seq_nr BIGINT NOT NULL,
    -- purged operations answer 410 to a read by id and are left out of listings
    purged BOOLEAN DEFAULT FALSE NOT NULL,
    result_content_type VARCHAR(255),
    result_file_name VARCHAR(255),
    result_body BLOB
);

CREATE INDEX IF NOT EXISTS operation_view_listing_idx ON operation_view (principal, created_at DESC, id DESC);

-- Offsets of the view's projection, as akka-projection-jdbc 1.4.0 (H2 dialect) expects them.
CREATE TABLE IF NOT EXISTS "akka_projection_offset_store" (
    "projection_name" VARCHAR(255) NOT NULL,
    "projection_key" VARCHAR(255) NOT NULL,
    "current_offset" VARCHAR(255) NOT NULL,
    "manifest" VARCHAR(4) NOT NULL,
    "mergeable" BOOLEAN NOT NULL,
    "last_updated" BIGINT NOT NULL,
    PRIMARY KEY("projection_name", "projection_key")
);

CREATE INDEX IF NOT EXISTS "akka_projection_name_index" ON "akka_projection_offset_store" ("projection_name");

CREATE TABLE IF NOT EXISTS "akka_projection_management" (
    "projection_name" VARCHAR(255) NOT NULL,
    "projection_key" VARCHAR(255) NOT NULL,
    "paused" BOOLEAN NOT NULL,
    "last_updated" BIGINT NOT NULL,
    PRIMARY KEY("projection_name", "projection_key")
);
