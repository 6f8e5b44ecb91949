package io.spillway.ingest.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.ingest.http.Problem;
import io.spillway.schemas.JobType;
import io.spillway.schemas.PaymentInput;
import io.spillway.schemas.PredictionInput;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JobParserTest {

  private final JobParser parser = new JobParser(Set.of("default"));

  @Test
  void aValidPaymentParses() {
    var parsed = parse(JobType.PAYMENT, "{\"accountId\":\"acc-1\",\"amountMinor\":1999,\"currency\":\"EUR\",\"merchantId\":\"m-42\"}");

    assertThat(parsed).isEqualTo(new JobParser.Parsed.Ok(new PaymentInput("acc-1", 1999, "EUR", "m-42")));
  }

  @Test
  void aValidPredictionParsesInCanonicalOrder() {
    var parsed = parse(JobType.PREDICTION, "{\"model\":\"default\",\"features\":{\"b\":2,\"a\":1.5}}");

    assertThat(parsed).isInstanceOfSatisfying(JobParser.Parsed.Ok.class,
        ok -> assertThat(((PredictionInput) ok.payload()).features().keySet()).containsExactly("a", "b"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown field | {\"accountId\":\"a\",\"amountMinor\":1,\"currency\":\"EUR\",\"merchantId\":\"m\",\"tip\":1} | /tip",
        "missing field | {\"accountId\":\"a\",\"amountMinor\":1,\"currency\":\"EUR\"} | /merchantId",
        "null field | {\"accountId\":null,\"amountMinor\":1,\"currency\":\"EUR\",\"merchantId\":\"m\"} | /accountId",
        "amount as string | {\"accountId\":\"a\",\"amountMinor\":\"1\",\"currency\":\"EUR\",\"merchantId\":\"m\"} | /amountMinor",
        "fractional amount | {\"accountId\":\"a\",\"amountMinor\":1.5,\"currency\":\"EUR\",\"merchantId\":\"m\"} | /amountMinor",
        "zero amount | {\"accountId\":\"a\",\"amountMinor\":0,\"currency\":\"EUR\",\"merchantId\":\"m\"} | /amountMinor",
        "huge amount | {\"accountId\":\"a\",\"amountMinor\":1000000000001,\"currency\":\"EUR\",\"merchantId\":\"m\"} | /amountMinor",
        "amount beyond long | {\"accountId\":\"a\",\"amountMinor\":99999999999999999999999,\"currency\":\"EUR\",\"merchantId\":\"m\"} | /amountMinor",
        "unknown currency | {\"accountId\":\"a\",\"amountMinor\":1,\"currency\":\"EUX\",\"merchantId\":\"m\"} | /currency",
        "lower-case currency | {\"accountId\":\"a\",\"amountMinor\":1,\"currency\":\"eur\",\"merchantId\":\"m\"} | /currency",
        "over-long account | {\"accountId\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"amountMinor\":1,\"currency\":\"EUR\",\"merchantId\":\"m\"} | /accountId",
        "control character | {\"accountId\":\"a\\tb\",\"amountMinor\":1,\"currency\":\"EUR\",\"merchantId\":\"m\"} | /accountId",
        "array body | [1,2] | ''",
      })
  void badPaymentsNameTheFailingField(String name, String body, String pointer) {
    var parsed = parse(JobType.PAYMENT, body);

    assertThat(parsed).isInstanceOfSatisfying(JobParser.Parsed.Bad.class, bad -> {
      assertThat(bad.problem().kind()).isEqualTo(Problem.Kind.VALIDATION);
      assertThat(bad.problem().field()).isEqualTo(pointer);
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown model | {\"model\":\"gpt\",\"features\":{\"a\":1}} | /model",
        "no features | {\"model\":\"default\",\"features\":{}} | /features",
        "features not an object | {\"model\":\"default\",\"features\":[1]} | /features",
        "string feature | {\"model\":\"default\",\"features\":{\"a\":\"1\"}} | /features/a",
        "null feature | {\"model\":\"default\",\"features\":{\"a\":null}} | /features/a",
        "infinite feature | {\"model\":\"default\",\"features\":{\"a\":1e999}} | /features/a",
        "bad feature name | {\"model\":\"default\",\"features\":{\"a b\":1}} | /features/a b",
      })
  void badPredictionsNameTheFailingField(String name, String body, String pointer) {
    assertThat(parse(JobType.PREDICTION, body)).isInstanceOfSatisfying(JobParser.Parsed.Bad.class,
        bad -> assertThat(bad.problem().field()).isEqualTo(pointer));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json | hello",
        "truncated | {\"model\":",
        "NaN | {\"model\":\"default\",\"features\":{\"a\":NaN}}",
        "duplicate key | {\"model\":\"default\",\"model\":\"default\",\"features\":{\"a\":1}}",
        "trailing garbage | {\"model\":\"default\",\"features\":{\"a\":1}} x",
        "deep nesting | [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
      })
  void bodiesThatAreNotJsonAreInvalidJson(String name, String body) {
    assertThat(parse(JobType.PREDICTION, body)).isInstanceOfSatisfying(JobParser.Parsed.Bad.class,
        bad -> assertThat(bad.problem().kind()).isEqualTo(Problem.Kind.INVALID_JSON));
  }

  @Test
  void invalidUtf8IsInvalidJson() {
    byte[] body = {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    assertThat(parser.parse(JobType.PREDICTION, body)).isInstanceOfSatisfying(JobParser.Parsed.Bad.class,
        bad -> assertThat(bad.problem().kind()).isEqualTo(Problem.Kind.INVALID_JSON));
  }

  private JobParser.Parsed parse(JobType type, String body) {
    return parser.parse(type, body.getBytes(StandardCharsets.UTF_8));
  }
}
