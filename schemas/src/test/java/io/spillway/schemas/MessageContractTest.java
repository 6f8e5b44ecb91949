package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageContractTest {

  private static final JsonSchemaFactory SCHEMAS =
      JsonSchemaFactory.getInstance(
          SpecVersion.VersionFlag.V202012,
          builder ->
              builder.schemaMappers(
                  mappers -> mappers.mapPrefix("https://spillway.io/schemas/", "classpath:schemas/")));

  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.of(Samples.PAYMENT, "payment-input"),
        Arguments.of(Samples.PREDICTION, "prediction-input"),
        Arguments.of(Samples.PAYMENT_JOB, "job-envelope"),
        Arguments.of(Samples.PREDICTION_JOB, "job-envelope"),
        Arguments.of(Samples.STARTED, "lifecycle-event"),
        Arguments.of(Samples.COMPLETED, "lifecycle-event"),
        Arguments.of(Samples.PAYMENT_RESULT, "payment-result"),
        Arguments.of(Samples.PREDICTION_RESULT, "prediction-result"),
        Arguments.of(Samples.ERROR, "job-error"),
        Arguments.of(Samples.WINDOW, "window-stats"),
        Arguments.of(Samples.ALERT, "pipeline-alert"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("messages")
  void everyMessageRoundTripsThroughJackson(Object message, String schema) throws Exception {
    byte[] json = Json.mapper().writeValueAsBytes(message);

    Object back = Json.mapper().readValue(json, message.getClass());

    assertThat(back).isEqualTo(message);
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("messages")
  void everyMessageValidatesAgainstItsJsonSchema(Object message, String schema) {
    JsonNode json = Json.mapper().valueToTree(message);

    Set<ValidationMessage> problems = schema(schema).validate(json);

    assertThat(problems).isEmpty();
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("messages")
  void schemaRejectsAnUnknownField(Object message, String schema) {
    var json = Json.mapper().<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(message);
    json.put("surprise", 1);

    assertThat(schema(schema).validate(json)).isNotEmpty();
  }

  private static JsonSchema schema(String name) {
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    return SCHEMAS.getSchema(
        com.networknt.schema.SchemaLocation.of("https://spillway.io/schemas/" + name + ".schema.json"),
        config);
  }
}
