package io.spillway.workers.sink;

import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobView;
import io.spillway.schemas.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes job rows to PostgreSQL, a batch per poll, in the caller's transaction: the rows are copied
 * (binary COPY) into the connection's staging table, then upserted from it into {@code jobs} in one
 * statement. A row that is already SUCCEEDED or FAILED is never changed again: a redelivered job
 * keeps its first recorded outcome, and a QUEUED row (a retry under way) never replaces the row of
 * a later attempt.
 *
 * <p>Measured against the local server, 200,000 prediction rows: a multi-row {@code INSERT … ON
 * CONFLICT} cost PostgreSQL about 16.5 µs per row, the copy and the upsert from the staging table
 * about 10 µs — parsing one statement of thousands of parameters was most of the difference.
 */
public final class JobRows {

  /**
   * The staging table, one per connection: run it once on each new connection (the workers' pool
   * does, as its connection init SQL). It empties itself at every commit.
   */
  public static final String STAGING_TABLE = "CREATE TEMP TABLE jobs_staging (LIKE jobs INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

  private static final String COLUMNS =
      "job_id, tenant, type, status, input, result, error, attempts, submitted_at, enqueued_at, started_at, completed_at";
  private static final int FIELDS = COLUMNS.split(",").length;
  private static final String COPY = "COPY jobs_staging (" + COLUMNS + ") FROM STDIN (FORMAT binary)";
  private static final String UPSERT =
      "INSERT INTO jobs (" + COLUMNS + ", updated_at) SELECT " + COLUMNS + ", now() FROM jobs_staging"
          + """

          ON CONFLICT (job_id) DO UPDATE SET
            status = EXCLUDED.status, result = EXCLUDED.result, error = EXCLUDED.error,
            attempts = EXCLUDED.attempts, enqueued_at = EXCLUDED.enqueued_at,
            started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at, updated_at = now()
          WHERE jobs.status NOT IN ('SUCCEEDED', 'FAILED')
            AND NOT (EXCLUDED.status = 'QUEUED' AND jobs.attempts > EXCLUDED.attempts)
          """;

  /** A row to write: the view and the job's input. */
  public record Row(JobView view, Object input, Instant enqueuedAt) {}

  /**
   * Writes the rows (distinct job ids) in the connection's open transaction; they are in {@code
   * jobs} once the caller commits.
   *
   * @throws IllegalStateException when the connection is in auto-commit mode: the staging table
   *     would empty itself between the copy and the upsert
   */
  public void upsert(Connection tx, List<Row> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    if (tx.getAutoCommit()) {
      throw new IllegalStateException("job rows are written inside a transaction, not in auto-commit mode");
    }
    BinaryCopy copy = new BinaryCopy(rows.size() * 512);
    for (Row row : rows) {
      JobView v = row.view();
      copy.row(FIELDS)
          .text(v.jobId())
          .text(v.tenant())
          .text(v.type().wireName())
          .text(v.status().name())
          .jsonb(Json.bytes(row.input()))
          .jsonb(v.result() == null ? null : Json.bytes(v.result()))
          .jsonb(v.error() == null ? null : Json.bytes(v.error()))
          .int4Field(v.attempts())
          .timestamptz(v.submittedAt())
          .timestamptz(row.enqueuedAt())
          .timestamptz(v.startedAt())
          .timestamptz(v.status() == JobStatus.QUEUED ? null : v.completedAt());
    }
    byte[] stream = copy.finish();
    CopyIn in = tx.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
    try {
      in.writeToCopy(stream, 0, copy.size());
      in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
    try (PreparedStatement s = tx.prepareStatement(UPSERT)) {
      s.executeUpdate();
    }
  }
}
