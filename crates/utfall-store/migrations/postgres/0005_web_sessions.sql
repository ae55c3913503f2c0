-- The web app's sessions: the cookie holds a random token, the store only its SHA-256, so a
-- copy of the store cannot be used to log in. Each session has its own CSRF token.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- A person's language in the web app (`sv`, `en`), when chosen.
ALTER TABLE users ADD COLUMN language TEXT;
