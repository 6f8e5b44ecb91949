package io.spillway.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.schemas.JobType;
import org.junit.jupiter.api.Test;

class WorkersLanesTest {

  private static final int CORES = Runtime.getRuntime().availableProcessors();

  @Test
  void paymentsSplitABatchIntoALaneForEveryProcessingThread() {
    assertThat(Workers.lanes(JobType.PAYMENT, 1)).isEqualTo(1);
    assertThat(Workers.lanes(JobType.PAYMENT, CORES * 4)).isEqualTo(CORES * 4);
  }

  @Test
  void predictionsUseAtMostOneLanePerCore() {
    assertThat(Workers.lanes(JobType.PREDICTION, 1)).isEqualTo(1);
    assertThat(Workers.lanes(JobType.PREDICTION, CORES)).isEqualTo(CORES);
    assertThat(Workers.lanes(JobType.PREDICTION, CORES * 4)).isEqualTo(CORES);
  }
}
