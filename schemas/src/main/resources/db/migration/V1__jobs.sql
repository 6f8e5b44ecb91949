-- One row per accepted job that a worker has touched: the durable record of its state.
CREATE TABLE jobs (
    job_id       text        PRIMARY KEY,
    tenant       text        NOT NULL,
    type         text        NOT NULL CHECK (type IN ('payment', 'prediction')),
    status       text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'DEAD_LETTERED')),
    input        jsonb       NOT NULL,
    result       jsonb,
    error        jsonb,
    attempts     integer     NOT NULL DEFAULT 0,
    submitted_at timestamptz NOT NULL,
    enqueued_at  timestamptz,
    started_at   timestamptz,
    completed_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Operators list a tenant's recent jobs.
CREATE INDEX jobs_tenant_submitted_idx ON jobs (tenant, submitted_at DESC);

-- Operators look for jobs that have not ended; a partial index stays small.
CREATE INDEX jobs_unfinished_idx ON jobs (submitted_at)
    WHERE status IN ('QUEUED', 'RUNNING');
