-- Version 1: outgoing messages and one row per recipient. One schema for SQLite and PostgreSQL: times are
-- epoch milliseconds (BIGINT), flags SMALLINT 0/1, text TEXT.

CREATE TABLE tracked_message (
    message_id      TEXT     NOT NULL PRIMARY KEY,
    sender          TEXT     NOT NULL,
    timely_reliable SMALLINT NOT NULL,
    sent_at         BIGINT   NOT NULL,
    processed_by    BIGINT   NOT NULL,
    dispatched_by   BIGINT,
    queue_id        TEXT     NOT NULL
);

CREATE INDEX tracked_message_sent ON tracked_message (sent_at);

-- due_at: the deadline this recipient waits for now (processed_by while PENDING, dispatched_by while
-- PROCESSED under timely and reliable); NULL exactly when the recipient is final.
CREATE TABLE tracked_recipient (
    message_id    TEXT    NOT NULL REFERENCES tracked_message (message_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    recipient     TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    due_at        BIGINT,
    processed_at  BIGINT,
    dispatched_at BIGINT,
    final_at      BIGINT,
    detail        TEXT    NOT NULL,
    PRIMARY KEY (message_id, recipient)
);

CREATE INDEX tracked_recipient_due ON tracked_recipient (due_at, message_id, recipient) WHERE due_at IS NOT NULL;
