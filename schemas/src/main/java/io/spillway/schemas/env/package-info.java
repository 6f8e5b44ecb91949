/**
 * Reading the {@code SPILLWAY_*} environment: the variable names every service shares, and typed,
 * validated accessors whose errors name the variable. Each service builds its own config record
 * from these once, at start-up.
 */
package io.spillway.schemas.env;
