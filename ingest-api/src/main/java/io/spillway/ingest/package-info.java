/**
 * The thin HTTP front door (Vert.x core): authenticate, validate, produce to Kafka with acks=all
 * and answer 202 from the producer callback; serve job status from Redis, then PostgreSQL, then
 * the signed job id itself. Nothing blocks an event loop: Redis and JDBC run on virtual threads.
 */
package io.spillway.ingest;
