-- Leases: which server process (replica) does a piece of background work that must not run twice
-- at once, until when. Webhook deliveries are leased per repository (`hook:<repo id>`), singleton
-- jobs by name (`job:mirrors`, …). A lease is taken or renewed by one conditional upsert and
-- expires by itself when its holder dies.

CREATE TABLE lease (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
