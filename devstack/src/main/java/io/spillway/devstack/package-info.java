/**
 * The embedded default: a real Kafka broker in KRaft mode started from the {@code kafka_2.13}
 * artifact in a child JVM, PostgreSQL and Redis (the configured servers when they answer, else
 * embedded binaries), the topics and the Flyway migrations. Used by {@code scripts/run-local.sh}
 * through {@link io.spillway.devstack.DevStackMain} and by integration tests through {@link
 * io.spillway.devstack.DevStackExtension}.
 */
package io.spillway.devstack;
