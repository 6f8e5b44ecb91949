/**
 * {@code spillway}: the command line for clients (submit, status, batch) and operators (DLQ, lag).
 * Exit codes: 0 success, 1 failure, 2 bad usage; errors are one line naming the problem.
 */
package io.spillway.cli;
