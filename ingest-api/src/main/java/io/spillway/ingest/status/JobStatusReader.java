package io.spillway.ingest.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.ingest.jobs.JobIds;
import io.spillway.schemas.JobError;
import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.JobView;
import io.spillway.schemas.Json;
import io.spillway.schemas.RedisKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/**
 * Finds what is known about a job: Redis first (the hot copy the workers write), PostgreSQL as
 * the fallback (the durable record), and otherwise the signed id itself, which proves the job was
 * accepted: QUEUED. Blocking; call it from a virtual thread.
 */
public final class JobStatusReader {

  private static final Logger log = LoggerFactory.getLogger(JobStatusReader.class);

  private final RedisClient redis;
  private final DataSource db;
  private final Counter redisMisses;
  private final Counter redisErrors;
  private final Counter dbErrors;

  public JobStatusReader(RedisClient redis, DataSource db, MeterRegistry meters) {
    this.redis = redis;
    this.db = db;
    this.redisMisses = Counter.builder("spillway.ingest.status.lookups").tag("source", "redis-miss").register(meters);
    this.redisErrors = Counter.builder("spillway.ingest.status.lookups").tag("source", "redis-error").register(meters);
    this.dbErrors = Counter.builder("spillway.ingest.status.lookups").tag("source", "postgres-error").register(meters);
  }

  /** The job's view, or empty if the id is not one of this tenant's. */
  public Optional<JobView> read(String tenant, String jobId, JobIds.Decoded id) {
    Optional<JobView> known = fromRedis(jobId).or(() -> fromPostgres(jobId));
    if (known.isPresent()) {
      return known.get().tenant().equals(tenant) ? known : Optional.empty();
    }
    return Optional.of(
        new JobView(jobId, tenant, id.type(), JobStatus.QUEUED, null, null,
            id.submittedAt().orElse(null) == null ? Instant.EPOCH : id.submittedAt().get(), null, null, 0));
  }

  private Optional<JobView> fromRedis(String jobId) {
    try {
      String json = redis.get(RedisKeys.job(jobId));
      if (json == null) {
        redisMisses.increment();
        return Optional.empty();
      }
      return Optional.of(Json.mapper().readValue(json, JobView.class));
    } catch (Exception e) {
      redisErrors.increment();
      log.debug("Redis status read failed, using PostgreSQL: {}", e.toString());
      return Optional.empty();
    }
  }

  private Optional<JobView> fromPostgres(String jobId) {
    String sql =
        "SELECT tenant, type, status, result, error, submitted_at, started_at, completed_at, attempts FROM jobs WHERE job_id = ?";
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, jobId);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        JsonNode result = rs.getString(4) == null ? null : Json.mapper().readTree(rs.getString(4));
        JobError error = rs.getString(5) == null ? null : Json.mapper().readValue(rs.getString(5), JobError.class);
        return Optional.of(
            new JobView(jobId, rs.getString(1), JobType.fromWireName(rs.getString(2)).orElseThrow(),
                JobStatus.valueOf(rs.getString(3)), result, error, instant(rs.getTimestamp(6)),
                instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)), rs.getInt(9)));
      }
    } catch (SQLException | java.io.IOException e) {
      dbErrors.increment();
      log.debug("PostgreSQL status read failed: {}", e.toString());
      return Optional.empty();
    }
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
