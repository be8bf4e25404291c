-- Enrollment challenges that enrolled an install, kept until they expire so that a solved
-- challenge enrolls once (collector/src/proof_of_work.rs). Only the challenge's random part and
-- its expiry, which is minutes after it was issued; nothing links a row to the install it made.
CREATE TABLE used_challenges (
    challenge TEXT PRIMARY KEY,
    -- Unix seconds; rows past it are deleted by the next enrollment.
    expires_at INTEGER NOT NULL
);
CREATE INDEX used_challenges_by_expiry ON used_challenges (expires_at);
