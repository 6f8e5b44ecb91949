/**
 * Fault drills in the Jepsen manner: start a stack whose every part can be killed, drive a steady
 * mixed load through the HTTP API as a real client would (Idempotency-Keys, retries), inject the
 * scenario's faults on a schedule, wait for quiescence, then read the history, PostgreSQL and
 * Redis and state the invariants: nothing acknowledged is lost, nothing is applied twice, nothing
 * appears that no client asked for, and payments of an account are applied in order.
 */
package io.spillway.drills;
