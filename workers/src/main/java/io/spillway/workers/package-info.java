/**
 * The workers: one consumer group per job type, processing each poll's records as a batch —
 * results computed, written to PostgreSQL in one transaction, then to Redis in one pipeline, then
 * lifecycle events, and only then the offsets committed. Redelivery is harmless: every write is
 * an idempotent upsert keyed by job id.
 */
package io.spillway.workers;
