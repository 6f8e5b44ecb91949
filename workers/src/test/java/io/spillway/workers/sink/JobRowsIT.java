package io.spillway.workers.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.schemas.JobError;
import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.JobView;
import io.spillway.schemas.Json;
import io.spillway.schemas.PredictionInput;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The job rows' copy-and-upsert against the real PostgreSQL. */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobRowsIT {

  private static final Instant SUBMITTED = Instant.parse("2026-11-27T09:00:00.123456Z");
  private static final Instant ENQUEUED = Instant.parse("2026-11-27T09:00:00.200001Z");
  private static final Instant STARTED = Instant.parse("2026-11-27T09:00:01.000007Z");
  private static final Instant COMPLETED = Instant.parse("2026-11-27T09:00:01.5Z");

  private final JobRows rows = new JobRows();
  private Connection db;

  @BeforeAll
  void connect(DevStack stack) throws SQLException {
    db = stack.pgConnection();
    try (Statement s = db.createStatement()) {
      s.execute(JobRows.STAGING_TABLE);
    }
    db.setAutoCommit(false);
  }

  @AfterAll
  void close() throws SQLException {
    db.close();
  }

  @Test
  void copiesEveryFieldOfNewRowsExactly() throws Exception {
    String id = newId();
    TreeMap<String, Double> features = new TreeMap<>();
    features.put("amount", 12.5);
    features.put("tab\tquote\"back\\slash", -0.000123);
    features.put("émoji 🚀", 1e-300);
    PredictionInput input = new PredictionInput("default", features);
    JobView view = new JobView(id, "tenant-ü", JobType.PREDICTION, JobStatus.SUCCEEDED,
        Json.mapper().readTree("{\"score\":0.75,\"note\":\"line\\nbreak \\\\ \\\"q\\\"\"}"), null, SUBMITTED, STARTED, COMPLETED, 2);

    write(List.of(new JobRows.Row(view, input, ENQUEUED)));

    try (PreparedStatement s = db.prepareStatement(
        "SELECT tenant, type, status, input, result, error, attempts, submitted_at, enqueued_at, started_at, completed_at FROM jobs WHERE job_id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("tenant")).isEqualTo("tenant-ü");
        assertThat(rs.getString("type")).isEqualTo("prediction");
        assertThat(rs.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(Json.mapper().readValue(rs.getString("input"), PredictionInput.class)).isEqualTo(input);
        assertThat(Json.mapper().readTree(rs.getString("result"))).isEqualTo(view.result());
        assertThat(rs.getString("error")).isNull();
        assertThat(rs.getInt("attempts")).isEqualTo(2);
        assertThat(rs.getTimestamp("submitted_at").toInstant()).isEqualTo(SUBMITTED);
        assertThat(rs.getTimestamp("enqueued_at").toInstant()).isEqualTo(ENQUEUED);
        assertThat(rs.getTimestamp("started_at").toInstant()).isEqualTo(STARTED);
        assertThat(rs.getTimestamp("completed_at").toInstant()).isEqualTo(COMPLETED);
      }
    }
  }

  @Test
  void aTerminalRowIsNeverChangedByALaterWrite() throws Exception {
    String id = newId();
    write(List.of(row(id, JobStatus.SUCCEEDED, 1, null)));

    write(List.of(row(id, JobStatus.FAILED, 2, new JobError("DB_REJECTED", "late"))));

    assertThat(statusAndAttempts(id)).isEqualTo("SUCCEEDED/1");
  }

  @Test
  void aRetryOfAnEarlierAttemptNeverReplacesALaterOne() throws Exception {
    String id = newId();
    write(List.of(row(id, JobStatus.QUEUED, 3, new JobError("TRANSIENT_40001", "third"))));

    write(List.of(row(id, JobStatus.QUEUED, 2, new JobError("TRANSIENT_40001", "second, redelivered"))));
    assertThat(statusAndAttempts(id)).isEqualTo("QUEUED/3");

    write(List.of(row(id, JobStatus.DEAD_LETTERED, 4, new JobError("TRANSIENT_40001", "fourth"))));
    assertThat(statusAndAttempts(id)).isEqualTo("DEAD_LETTERED/4");
  }

  @Test
  void theStagingTableIsEmptyAfterEveryCommitAndRollback() throws Exception {
    String first = newId();
    String second = newId();
    write(List.of(row(first, JobStatus.SUCCEEDED, 1, null)));
    assertThat(count("SELECT count(*) FROM jobs_staging")).isZero();

    rows.upsert(db, List.of(row(second, JobStatus.SUCCEEDED, 1, null)));
    db.rollback();

    assertThat(count("SELECT count(*) FROM jobs_staging")).isZero();
    assertThat(count("SELECT count(*) FROM jobs WHERE job_id = '" + second + "'")).isZero();
    assertThat(count("SELECT count(*) FROM jobs WHERE job_id = '" + first + "'")).isOne();
  }

  @Test
  void refusesAnAutoCommitConnectionAndWritesNothing(DevStack stack) throws Exception {
    String id = newId();
    try (Connection auto = stack.pgConnection(); Statement s = auto.createStatement()) {
      s.execute(JobRows.STAGING_TABLE);
      assertThatThrownBy(() -> rows.upsert(auto, List.of(row(id, JobStatus.SUCCEEDED, 1, null))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("inside a transaction");
    }
    assertThat(count("SELECT count(*) FROM jobs WHERE job_id = '" + id + "'")).isZero();
  }

  @Test
  void writesAThousandRowsInOneBatch() throws Exception {
    List<JobRows.Row> batch = new java.util.ArrayList<>();
    String prefix = newId();
    for (int i = 0; i < 1000; i++) {
      batch.add(row(prefix + "-" + i, JobStatus.SUCCEEDED, 1, null));
    }

    write(batch);

    assertThat(count("SELECT count(*) FROM jobs WHERE job_id LIKE '" + prefix + "-%' AND status = 'SUCCEEDED'")).isEqualTo(1000);
  }

  private void write(List<JobRows.Row> batch) throws SQLException {
    rows.upsert(db, batch);
    db.commit();
  }

  private static JobRows.Row row(String id, JobStatus status, int attempts, JobError error) {
    boolean done = status.isTerminal();
    JobView view = new JobView(id, "tenant-a", JobType.PREDICTION, status,
        status == JobStatus.SUCCEEDED ? Json.mapper().createObjectNode().put("score", 0.5) : null, error,
        SUBMITTED, STARTED, done ? COMPLETED : null, attempts);
    TreeMap<String, Double> features = new TreeMap<>();
    features.put("x", 1.0);
    return new JobRows.Row(view, new PredictionInput("default", features), ENQUEUED);
  }

  private String statusAndAttempts(String id) throws SQLException {
    try (PreparedStatement s = db.prepareStatement("SELECT status || '/' || attempts FROM jobs WHERE job_id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        String found = rs.getString(1);
        db.commit();
        return found;
      }
    }
  }

  private long count(String sql) throws SQLException {
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      long n = rs.getLong(1);
      db.commit();
      return n;
    }
  }

  private static String newId() {
    return "rows-it-" + UUID.randomUUID();
  }
}
