package io.spillway.ingest.submit;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.spillway.ingest.http.Problem;
import io.spillway.schemas.JobPayload;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.spillway.schemas.PaymentInput;
import io.spillway.schemas.PredictionInput;
import java.util.Currency;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a request body into a job payload, or into the first problem found, naming the field.
 * Strict: unknown or duplicate fields, wrong types, nulls, fractions where integers belong,
 * out-of-range numbers, unknown currencies and models, and over-long strings are all refused.
 */
public final class JobParser {

  /** The outcome: a payload or a problem. */
  public sealed interface Parsed permits Parsed.Ok, Parsed.Bad {
    record Ok(JobPayload payload) implements Parsed {}

    record Bad(Problem problem) implements Parsed {}
  }

  private static final Set<String> CURRENCIES =
      Currency.getAvailableCurrencies().stream().map(Currency::getCurrencyCode).collect(Collectors.toUnmodifiableSet());
  private static final Set<String> PAYMENT_FIELDS = Set.of("accountId", "amountMinor", "currency", "merchantId");
  private static final Set<String> PREDICTION_FIELDS = Set.of("model", "features");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final ObjectReader reader = Json.mapper().reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
  private final Set<String> models;

  /** @param models the prediction models the workers serve */
  public JobParser(Set<String> models) {
    this.models = Set.copyOf(models);
  }

  public Parsed parse(JobType type, byte[] body) {
    JsonNode json;
    try {
      json = reader.readTree(body);
    } catch (JacksonException e) {
      return bad(Problem.of(Problem.Kind.INVALID_JSON, firstLine(e.getOriginalMessage())));
    } catch (java.io.IOException e) {
      return bad(Problem.of(Problem.Kind.INVALID_JSON, "unreadable body"));
    }
    if (json == null || json.isMissingNode()) {
      return bad(Problem.of(Problem.Kind.INVALID_JSON, "the body is empty"));
    }
    return parse(type, json);
  }

  /** Validates one job given as a JSON tree (also used for each item of a batch). */
  public Parsed parse(JobType type, JsonNode json) {
    if (!json.isObject()) {
      return bad(Problem.field("", "the body must be a JSON object"));
    }
    try {
      return new Parsed.Ok(
          switch (type) {
            case PAYMENT -> payment(json);
            case PREDICTION -> prediction(json);
          });
    } catch (FieldProblem p) {
      return bad(Problem.field(p.pointer, p.getMessage()));
    }
  }

  private PaymentInput payment(JsonNode json) {
    onlyFields(json, PAYMENT_FIELDS);
    String account = id(json, "accountId");
    JsonNode amount = required(json, "amountMinor");
    if (!amount.isIntegralNumber()) {
      throw new FieldProblem("/amountMinor", "amountMinor must be an integer number of minor units");
    }
    if (!amount.canConvertToLong() || amount.longValue() < 1 || amount.longValue() > PaymentInput.MAX_AMOUNT_MINOR) {
      throw new FieldProblem("/amountMinor", "amountMinor must be between 1 and 1000000000000");
    }
    String currency = text(json, "currency", 3);
    if (!CURRENCIES.contains(currency)) {
      throw new FieldProblem("/currency", "currency must be an ISO-4217 code such as EUR");
    }
    String merchant = id(json, "merchantId");
    return new PaymentInput(account, amount.longValue(), currency, merchant);
  }

  private PredictionInput prediction(JsonNode json) {
    onlyFields(json, PREDICTION_FIELDS);
    String model = text(json, "model", 64);
    if (!models.contains(model)) {
      throw new FieldProblem("/model", "unknown model '" + model + "'; known: " + String.join(", ", new java.util.TreeSet<>(models)));
    }
    JsonNode features = required(json, "features");
    if (!features.isObject()) {
      throw new FieldProblem("/features", "features must be an object of name: number");
    }
    if (features.isEmpty() || features.size() > PredictionInput.MAX_FEATURES) {
      throw new FieldProblem("/features", "features must hold 1 to 256 entries");
    }
    TreeMap<String, Double> values = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = features.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String pointer = "/features/" + entry.getKey().replace("~", "~0").replace("/", "~1");
      if (!NAME.matcher(entry.getKey()).matches()) {
        throw new FieldProblem(pointer, "feature names are 1 to 64 of A-Z a-z 0-9 . _ -");
      }
      JsonNode value = entry.getValue();
      if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
        throw new FieldProblem(pointer, "each feature must be a finite number");
      }
      values.put(entry.getKey(), value.doubleValue());
    }
    return new PredictionInput(model, values);
  }

  private static void onlyFields(JsonNode json, Set<String> allowed) {
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new FieldProblem("/" + name, "unknown field '" + name + "'");
      }
    }
  }

  private static JsonNode required(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null) {
      throw new FieldProblem("/" + field, field + " is required");
    }
    if (value.isNull()) {
      throw new FieldProblem("/" + field, field + " must not be null");
    }
    return value;
  }

  private static String text(JsonNode json, String field, int maxLength) {
    JsonNode value = required(json, field);
    if (!value.isTextual()) {
      throw new FieldProblem("/" + field, field + " must be a string");
    }
    String text = value.textValue();
    if (text.isEmpty() || text.length() > maxLength) {
      throw new FieldProblem("/" + field, field + " must be 1 to " + maxLength + " characters");
    }
    return text;
  }

  private static String id(JsonNode json, String field) {
    String text = text(json, field, 64);
    if (!isId(text)) {
      throw new FieldProblem("/" + field, field + " may hold only A-Z a-z 0-9 . _ : @ -");
    }
    return text;
  }

  /** Only A-Z a-z 0-9 . _ : @ - (the length is checked by the caller). */
  private static boolean isId(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static Parsed bad(Problem problem) {
    return new Parsed.Bad(problem);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed JSON";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** A validation failure at a JSON Pointer. */
  private static final class FieldProblem extends RuntimeException {
    private final String pointer;

    FieldProblem(String pointer, String message) {
      super(message, null, false, false);
      this.pointer = pointer;
    }
  }
}
