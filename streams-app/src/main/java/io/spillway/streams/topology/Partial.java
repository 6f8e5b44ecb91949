package io.spillway.streams.topology;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What one {@code jobs.events} partition tells the windowing step, keyed by job type: either the
 * partial aggregate of one second of its events ({@code recorded} set), or a heartbeat — the
 * partition's event time so far, after every event up to it was sent, and whether it is idle.
 *
 * @param sourcePartition the {@code jobs.events} partition
 * @param sourceTime a heartbeat's event time of the partition; -1 in a partial, and -1 in the
 *     heartbeat of a partition that never had an event
 * @param idle a heartbeat's: the partition had no event for the idle period
 * @param bucketStart a partial's second (epoch ms); -1 in a heartbeat
 * @param recorded a partial's counts and recorded latencies; null in a heartbeat
 */
record Partial(int sourcePartition, long sourceTime, boolean idle, long bucketStart, WindowAggregate.Recorded recorded) {

  private static final int HEADER = Integer.BYTES + Long.BYTES + 1 + Long.BYTES;

  static Partial of(int sourcePartition, long bucketStart, WindowAggregate aggregate) {
    return new Partial(sourcePartition, -1, false, bucketStart, aggregate.recorded());
  }

  static Partial heartbeat(int sourcePartition, long sourceTime, boolean idle) {
    return new Partial(sourcePartition, sourceTime, idle, -1, null);
  }

  boolean isHeartbeat() {
    return recorded == null;
  }

  byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(recorded == null ? HEADER : 256);
    out.writeBytes(ByteBuffer.allocate(HEADER).putInt(sourcePartition).putLong(sourceTime).put((byte) (idle ? 1 : 0)).putLong(bucketStart).array());
    if (recorded != null) {
      recorded.writeTo(out);
    }
    return out.toByteArray();
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
    WindowAggregate.Recorded recorded = in.hasRemaining() ? WindowAggregate.Recorded.readFrom(in) : null;
    return new Partial(partition, time, idle, bucket, recorded);
  }

  static final Serde<Partial> SERDE =
      Serdes.serdeFrom((topic, p) -> p == null ? null : p.encode(), (topic, bytes) -> bytes == null ? null : decode(bytes));
}
