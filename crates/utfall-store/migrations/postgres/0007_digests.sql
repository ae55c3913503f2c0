-- Digests and alerts by e-mail. A subscription is one person's wish for one kind of message; a
-- delivery is one message to one person for one period (`2026-W48`, `2026-11`) or alert
-- (`alert:KPI:PERIOD:LEVEL`), claimed by one runner before it is sent so that it goes out once
-- however many processes run the job. An unsent claim older than the runner's lease may be taken
-- over (the runner died); a failed send releases its claim for the next run.
CREATE TABLE subscriptions (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('weekly', 'monthly', 'alerts')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE deliveries (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('weekly', 'monthly', 'alerts')),
    period_key TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    claimed_by TEXT NOT NULL,
    sent_at    BIGINT,
    message_id TEXT,
    PRIMARY KEY (user_id, kind, period_key)
);
