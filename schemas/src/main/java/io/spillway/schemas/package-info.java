/**
 * The contracts every Spillway module keeps: the message records, their JSON Schemas, the Kafka
 * serdes, the topic names and the record headers. Depends on Jackson and the Kafka serde API only.
 */
package io.spillway.schemas;
