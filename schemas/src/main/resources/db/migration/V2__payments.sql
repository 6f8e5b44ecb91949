-- Accounts open on first sight; an operator may close one (its payments then FAIL).
CREATE TABLE accounts (
    account_id        text        PRIMARY KEY,
    status            text        NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CLOSED')),
    daily_limit_minor bigint      NOT NULL DEFAULT 500000000 CHECK (daily_limit_minor > 0),
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- The running totals of approved payments: all time and for the current UTC day.
CREATE TABLE account_totals (
    account_id      text   PRIMARY KEY REFERENCES accounts (account_id),
    total_minor     bigint NOT NULL DEFAULT 0,
    day             date   NOT NULL,
    day_total_minor bigint NOT NULL DEFAULT 0,
    approved        bigint NOT NULL DEFAULT 0
);

-- One entry per payment job, approved or declined; a redelivered job finds its entry.
CREATE TABLE payment_ledger (
    entry_id     bigserial        PRIMARY KEY,
    job_id       text             NOT NULL UNIQUE,
    account_id   text             NOT NULL REFERENCES accounts (account_id),
    amount_minor bigint           NOT NULL CHECK (amount_minor > 0),
    currency     text             NOT NULL,
    merchant_id  text             NOT NULL,
    decision     text             NOT NULL CHECK (decision IN ('APPROVED', 'DECLINED')),
    risk_score   double precision NOT NULL,
    created_at   timestamptz      NOT NULL DEFAULT now()
);

-- An account's statement, in the order the entries were written.
CREATE INDEX payment_ledger_account_idx ON payment_ledger (account_id, entry_id);
