package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonSerdeTest {

  private final JsonSerde<JobEnvelope> serde = new JsonSerde<>(JobEnvelope.class);

  @Test
  void serializerStampsTheSchemaVersionHeader() {
    RecordHeaders headers = new RecordHeaders();

    serde.serializer().serialize("jobs.payment", headers, Samples.PAYMENT_JOB);

    assertThat(SpillwayHeaders.text(headers, SpillwayHeaders.SCHEMA_VERSION)).contains("1");
  }

  @Test
  void envelopeDecodesIntoThePayloadRecordOfItsType() {
    RecordHeaders headers = new RecordHeaders();
    byte[] bytes = serde.serializer().serialize("t", headers, Samples.PREDICTION_JOB);

    DecodeResult<JobEnvelope> result = serde.safeDeserializer().deserialize("t", headers, bytes);

    assertThat(result).isEqualTo(new DecodeResult.Ok<>(Samples.PREDICTION_JOB));
    assertThat(((DecodeResult.Ok<JobEnvelope>) result).value().payload())
        .isInstanceOf(PredictionInput.class);
  }

  @Test
  void envelopeDecodesWhateverTheOrderOfItsFields() {
    String payloadFirst =
        "{\"payload\":{\"accountId\":\"a\",\"amountMinor\":5,\"currency\":\"EUR\",\"merchantId\":\"m\"},"
            + "\"attempt\":2,\"submittedAt\":\"2026-11-27T09:00:00Z\",\"type\":\"payment\",\"tenant\":\"t\",\"jobId\":\"j\"}";

    DecodeResult<JobEnvelope> result = decode(payloadFirst);

    assertThat(result).isInstanceOfSatisfying(DecodeResult.Ok.class, ok -> {
      JobEnvelope job = (JobEnvelope) ok.value();
      assertThat(job.type()).isEqualTo(JobType.PAYMENT);
      assertThat(job.attempt()).isEqualTo(2);
      assertThat(job.payload()).isInstanceOf(PaymentInput.class);
      assertThat(((PaymentInput) job.payload()).amountMinor()).isEqualTo(5);
    });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json at all",
        "{\"jobId\":",
        "[1,2,3]",
        // NaN is not JSON
        "{\"jobId\":\"j\",\"tenant\":\"t\",\"type\":\"prediction\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":1,\"payload\":{\"model\":\"default\",\"features\":{\"a\":NaN}}}",
      })
  void bytesThatAreNotAnEnvelopeGiveATypedError(String text) {
    DecodeResult<JobEnvelope> result = decode(text);

    assertThat(result).isInstanceOf(DecodeResult.Malformed.class);
    assertThat(((DecodeResult.Malformed<JobEnvelope>) result).reason())
        .isIn(DecodeResult.Reason.NOT_JSON, DecodeResult.Reason.INVALID);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // unknown job type
        "{\"jobId\":\"j\",\"tenant\":\"t\",\"type\":\"refund\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":1,\"payload\":{}}",
        // payload of the wrong type
        "{\"jobId\":\"j\",\"tenant\":\"t\",\"type\":\"payment\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":1,\"payload\":{\"model\":\"default\",\"features\":{\"a\":1}}}",
        // negative amount
        "{\"jobId\":\"j\",\"tenant\":\"t\",\"type\":\"payment\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":1,\"payload\":{\"accountId\":\"a\",\"amountMinor\":-5,\"currency\":\"EUR\",\"merchantId\":\"m\"}}",
        // fractional amount
        "{\"jobId\":\"j\",\"tenant\":\"t\",\"type\":\"payment\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":1,\"payload\":{\"accountId\":\"a\",\"amountMinor\":1.5,\"currency\":\"EUR\",\"merchantId\":\"m\"}}",
        // missing tenant
        "{\"jobId\":\"j\",\"type\":\"payment\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":1,\"payload\":{\"accountId\":\"a\",\"amountMinor\":5,\"currency\":\"EUR\",\"merchantId\":\"m\"}}",
        // attempt zero
        "{\"jobId\":\"j\",\"tenant\":\"t\",\"type\":\"payment\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":0,\"payload\":{\"accountId\":\"a\",\"amountMinor\":5,\"currency\":\"EUR\",\"merchantId\":\"m\"}}",
        // unknown envelope field
        "{\"jobId\":\"j\",\"tenant\":\"t\",\"type\":\"payment\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":1,\"extra\":true,\"payload\":{\"accountId\":\"a\",\"amountMinor\":5,\"currency\":\"EUR\",\"merchantId\":\"m\"}}",
        // null feature
        "{\"jobId\":\"j\",\"tenant\":\"t\",\"type\":\"prediction\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"attempt\":1,\"payload\":{\"model\":\"default\",\"features\":{\"a\":null}}}",
      })
  void jsonThatBreaksTheContractGivesAnInvalidError(String text) {
    DecodeResult<JobEnvelope> result = decode(text);

    assertThat(result)
        .isInstanceOfSatisfying(
            DecodeResult.Malformed.class,
            bad -> assertThat(bad.reason()).isEqualTo(DecodeResult.Reason.INVALID));
  }

  @Test
  void anUnknownSchemaVersionGivesAnUnsupportedVersionError() {
    RecordHeaders headers = new RecordHeaders();
    byte[] bytes = serde.encode(Samples.PAYMENT_JOB);
    SpillwayHeaders.put(headers, SpillwayHeaders.SCHEMA_VERSION, "7");

    DecodeResult<JobEnvelope> result = serde.safeDeserializer().deserialize("t", headers, bytes);

    assertThat(result)
        .isInstanceOfSatisfying(
            DecodeResult.Malformed.class,
            bad -> {
              assertThat(bad.reason()).isEqualTo(DecodeResult.Reason.UNSUPPORTED_VERSION);
              assertThat(bad.raw()).isEqualTo(bytes);
            });
  }

  @Test
  void anEmptyValueGivesAnEmptyError() {
    assertThat(serde.decode(new byte[0], null))
        .isInstanceOfSatisfying(
            DecodeResult.Malformed.class,
            bad -> assertThat(bad.reason()).isEqualTo(DecodeResult.Reason.EMPTY));
  }

  @Test
  void theThrowingDeserializerForStreamsRaisesASerializationException() {
    byte[] garbage = "{oops".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> serde.deserializer().deserialize("jobs.payment", garbage))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("jobs.payment");
  }

  private DecodeResult<JobEnvelope> decode(String text) {
    return serde.decode(text.getBytes(StandardCharsets.UTF_8), new RecordHeaders());
  }
}
