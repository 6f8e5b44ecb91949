package io.spillway.workers.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class TransienceTest {

  @Test
  void aLostConnectionOrAServerShutdownIsTransient() {
    assertThat(Transience.isTransient(new SQLException("connection refused", "08001"))).isTrue();
    assertThat(Transience.isTransient(new SQLException("terminating connection due to administrator command", "57P01"))).isTrue();
    assertThat(Transience.isTransient(new SQLException("deadlock detected", "40P01"))).isTrue();
  }

  @Test
  void aConstraintViolationIsPermanentEvenInsideABatchError() {
    SQLException unique = new SQLException("duplicate key value violates unique constraint", "23505");
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", "23505", 0, new int[0], unique);

    assertThat(Transience.isTransient(unique)).isFalse();
    assertThat(Transience.isTransient(batch)).isFalse();
  }

  @Test
  void aCauseChainIsWalked() {
    SQLException outer = new SQLException("wrapper", "XX000", new SQLException("io", "08006"));

    assertThat(Transience.isTransient(outer)).isTrue();
  }

  @Test
  void anUnreachableOrRestartingServerIsAnOutageWhichPausesConsumption() {
    assertThat(Transience.isOutage(new SQLException("connection refused", "08001"))).isTrue();
    assertThat(Transience.isOutage(new java.sql.SQLTransientConnectionException("Connection is not available, request timed out"))).isTrue();
    assertThat(Transience.isOutage(new SQLException("the database system is starting up", "57P03"))).isTrue();
    assertThat(Transience.isOutage(new SQLException("wrapper", "XX000", new SQLException("io", "08006")))).isTrue();
  }

  @Test
  void aConflictOnAReachableServerIsTransientButNoOutageSoTheJobIsRetriedThroughJobsRetry() {
    SQLException serialization = new SQLException("could not serialize access", "40001");
    SQLException timeout = new SQLException("canceling statement due to statement timeout", "57014");

    assertThat(Transience.isTransient(serialization)).isTrue();
    assertThat(Transience.isOutage(serialization)).isFalse();
    assertThat(Transience.isTransient(timeout)).isTrue();
    assertThat(Transience.isOutage(timeout)).isFalse();
    assertThat(Transience.isOutage(new SQLException("duplicate key", "23505"))).isFalse();
  }
}
