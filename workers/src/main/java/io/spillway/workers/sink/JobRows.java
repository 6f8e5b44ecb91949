package io.spillway.workers.sink;

import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobView;
import io.spillway.schemas.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * Writes job rows to PostgreSQL in one batched upsert per poll. A row that is already SUCCEEDED or
 * FAILED is never changed again: a redelivered job keeps its first recorded outcome, and a QUEUED
 * row (a retry under way) never replaces the row of a later attempt.
 */
public final class JobRows {

  private static final String UPSERT =
      """
      INSERT INTO jobs (job_id, tenant, type, status, input, result, error, attempts,
                        submitted_at, enqueued_at, started_at, completed_at, updated_at)
      VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, now())
      ON CONFLICT (job_id) DO UPDATE SET
        status = EXCLUDED.status, result = EXCLUDED.result, error = EXCLUDED.error,
        attempts = EXCLUDED.attempts, enqueued_at = EXCLUDED.enqueued_at,
        started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at, updated_at = now()
      WHERE jobs.status NOT IN ('SUCCEEDED', 'FAILED')
        AND NOT (EXCLUDED.status = 'QUEUED' AND jobs.attempts > EXCLUDED.attempts)
      """;

  /** A row to write: the view and the job's input. */
  public record Row(JobView view, Object input, Instant enqueuedAt) {}

  public void upsert(Connection tx, List<Row> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement s = tx.prepareStatement(UPSERT)) {
      for (Row row : rows) {
        JobView v = row.view();
        s.setString(1, v.jobId());
        s.setString(2, v.tenant());
        s.setString(3, v.type().wireName());
        s.setString(4, v.status().name());
        s.setString(5, Json.text(row.input()));
        s.setString(6, v.result() == null ? null : v.result().toString());
        s.setString(7, v.error() == null ? null : Json.text(v.error()));
        s.setInt(8, v.attempts());
        s.setTimestamp(9, ts(v.submittedAt()));
        s.setTimestamp(10, ts(row.enqueuedAt()));
        s.setTimestamp(11, ts(v.startedAt()));
        s.setTimestamp(12, v.status() == JobStatus.QUEUED ? null : ts(v.completedAt()));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static Timestamp ts(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }
}
