package io.spillway.schemas;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * ISO-8601 UTC instants ({@code 2026-11-27T09:00:00.123Z}) read and written without
 * {@link java.time.format.DateTimeFormatter}, whose general parser costs more than the rest of
 * decoding a lifecycle event together. The text is exactly {@link Instant#toString()}'s; anything
 * outside the common shape (another offset, a leap second, a year beyond 9999) takes the JDK's
 * path, so every instant the JDK reads is still read, and read the same.
 */
public final class IsoInstants {

  /** The longest text of the common shape: {@code 9999-12-31T23:59:59.999999999Z}. */
  private static final int MAX_LENGTH = 30;

  private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  private IsoInstants() {}

  /** Reads an instant as {@link Instant#parse} does. */
  public static Instant parse(CharSequence text) {
    Instant fast = fastParse(text);
    return fast != null ? fast : Instant.parse(text);
  }

  /** Writes an instant as {@link Instant#toString()} does. */
  public static String format(Instant instant) {
    return new String(formatAscii(instant), StandardCharsets.US_ASCII);
  }

  /** {@link #format}'s text as ASCII bytes, written as bytes (no string to encode on the way). */
  static byte[] formatAscii(Instant instant) {
    byte[] out = new byte[MAX_LENGTH];
    int length = formatInto(instant, out);
    return length < 0 ? instant.toString().getBytes(StandardCharsets.US_ASCII) : Arrays.copyOf(out, length);
  }

  /**
   * Writes the common shape into {@code out} (at least {@link #MAX_LENGTH} long); returns its
   * length, or −1 for a year outside 0..9999, which {@link Instant#toString()} writes otherwise.
   */
  private static int formatInto(Instant instant, byte[] out) {
    long seconds = instant.getEpochSecond();
    long days = Math.floorDiv(seconds, 86_400);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400);
    // civil date from days since the epoch (H. Hinnant's algorithm)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999) {
      return -1;
    }
    int at = digits(out, 0, (int) year, 4);
    out[at++] = '-';
    at = digits(out, at, month, 2);
    out[at++] = '-';
    at = digits(out, at, day, 2);
    out[at++] = 'T';
    at = digits(out, at, secondOfDay / 3600, 2);
    out[at++] = ':';
    at = digits(out, at, secondOfDay / 60 % 60, 2);
    out[at++] = ':';
    at = digits(out, at, secondOfDay % 60, 2);
    int nano = instant.getNano();
    if (nano != 0) {
      out[at++] = '.';
      if (nano % 1_000_000 == 0) {
        at = digits(out, at, nano / 1_000_000, 3);
      } else if (nano % 1000 == 0) {
        at = digits(out, at, nano / 1000, 6);
      } else {
        at = digits(out, at, nano, 9);
      }
    }
    out[at++] = 'Z';
    return at;
  }

  /** Writes {@code value} as {@code width} ASCII digits, zero-padded, at {@code at}; returns the end. */
  private static int digits(byte[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }

  /** The common shape, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}; null for anything else. */
  private static Instant fastParse(CharSequence s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':'
        || s.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > DAYS_IN_MONTH[month - 1] + (month == 2 && leap ? 1 : 0)) {
      return null;
    }
    int nano = 0;
    if (n > 20) {
      int fraction = n - 21;
      if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      nano = digits(s, 20, fraction);
      if (nano < 0) {
        return null;
      }
      for (int i = fraction; i < 9; i++) {
        nano *= 10;
      }
    } else if (s.charAt(19) != 'Z') {
      return null;
    }
    // days since the epoch from a civil date (H. Hinnant's algorithm)
    int y = month <= 2 ? year - 1 : year;
    int era = Math.floorDiv(y, 400);
    int yoe = y - era * 400;
    int doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = era * 146_097L + doe - 719_468;
    return Instant.ofEpochSecond(days * 86_400 + hour * 3600 + minute * 60 + second, nano);
  }

  private static int digits(CharSequence s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** The Jackson deserializer: a JSON string in ISO-8601; anything else is an input error. */
  static final class Deserializer extends StdScalarDeserializer<Instant> {

    Deserializer() {
      super(Instant.class);
    }

    /**
     * Stateless, so Jackson may keep it: a custom deserializer it may not cache is looked up anew,
     * with a full introspection of {@link Instant}, for every instant read inside another value.
     */
    @Override
    public boolean isCachable() {
      return true;
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
      if (!parser.hasToken(JsonToken.VALUE_STRING)) {
        return (Instant) ctx.handleUnexpectedToken(Instant.class, parser);
      }
      String text = parser.getText();
      try {
        return parse(text);
      } catch (DateTimeParseException e) {
        return (Instant) ctx.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant: %s", e.getMessage());
      }
    }
  }

  /** The Jackson serializer: {@link Instant#toString()}'s text. */
  static final class Serializer extends StdScalarSerializer<Instant> {

    Serializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString(format(value));
    }
  }
}
