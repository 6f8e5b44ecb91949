package io.spillway.streams.topology;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What one {@code jobs.events} partition tells the windowing step, keyed by job type: either the
 * partial aggregate of one second of its events ({@code aggregate} set), or a heartbeat — the
 * partition's event time so far, after every event up to it was sent, and whether it is idle.
 *
 * @param sourcePartition the {@code jobs.events} partition
 * @param sourceTime a heartbeat's event time of the partition; -1 in a partial, and -1 in the
 *     heartbeat of a partition that never had an event
 * @param idle a heartbeat's: the partition had no event for the idle period
 * @param bucketStart a partial's second (epoch ms); -1 in a heartbeat
 * @param aggregate a partial's counts and histograms; null in a heartbeat
 */
record Partial(int sourcePartition, long sourceTime, boolean idle, long bucketStart, WindowAggregate aggregate) {

  private static final int HEADER = Integer.BYTES + Long.BYTES + 1 + Long.BYTES;

  static Partial of(int sourcePartition, long bucketStart, WindowAggregate aggregate) {
    return new Partial(sourcePartition, -1, false, bucketStart, aggregate);
  }

  static Partial heartbeat(int sourcePartition, long sourceTime, boolean idle) {
    return new Partial(sourcePartition, sourceTime, idle, -1, null);
  }

  boolean isHeartbeat() {
    return aggregate == null;
  }

  byte[] encode() {
    byte[] agg = aggregate == null ? new byte[0] : aggregate.encode();
    return ByteBuffer.allocate(HEADER + agg.length)
        .putInt(sourcePartition).putLong(sourceTime).put((byte) (idle ? 1 : 0)).putLong(bucketStart).put(agg)
        .array();
  }

  static Partial decode(byte[] bytes) {
    if (bytes.length < HEADER) {
      throw new IllegalArgumentException("a window partial has at least " + HEADER + " bytes, not " + bytes.length);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int partition = in.getInt();
    long time = in.getLong();
    boolean idle = in.get() == 1;
    long bucket = in.getLong();
    WindowAggregate agg = bytes.length == HEADER ? null : WindowAggregate.decode(Arrays.copyOfRange(bytes, HEADER, bytes.length));
    return new Partial(partition, time, idle, bucket, agg);
  }

  static final Serde<Partial> SERDE =
      Serdes.serdeFrom((topic, p) -> p == null ? null : p.encode(), (topic, bytes) -> bytes == null ? null : decode(bytes));
}
