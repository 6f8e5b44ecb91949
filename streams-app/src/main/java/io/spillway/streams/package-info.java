/**
 * The streams app: a Kafka Streams topology over {@code jobs.events} that aggregates, per job
 * type, tumbling 1 s and hopping 1 min windows of throughput, outcomes and latency percentiles
 * (from HdrHistograms kept in the aggregate), writes each closed window to {@code pipeline.stats},
 * and serves the window stores over HTTP.
 */
package io.spillway.streams;
