package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

  @Test
  void formatsAndParsesExactlyAsTheJdkAcrossRandomInstants() {
    SplittableRandom random = new SplittableRandom(7);
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant t = Instant.ofEpochSecond(random.nextLong(0, max + 1), nano);
      String text = IsoInstants.format(t);
      assertThat(text).isEqualTo(t.toString());
      assertThat(IsoInstants.parse(text)).isEqualTo(t);
    }
  }

  @Test
  void instantsWrittenThroughJacksonAreTheJdksText() throws Exception {
    // a few instants written over and over, as a batch's start is, between thousands of others
    SplittableRandom random = new SplittableRandom(11);
    Instant[] hot = {Instant.parse("2026-11-27T09:00:00.123456Z"), Instant.parse("2026-11-27T09:00:00.123457Z"), Instant.ofEpochSecond(1_795_000_000)};
    for (int i = 0; i < 50_000; i++) {
      Instant t = i % 3 == 0 ? hot[i % hot.length] : Instant.ofEpochSecond(1_795_000_000 + random.nextInt(1000), random.nextInt(1000) * 1000);
      assertThat(Json.text(t)).isEqualTo('"' + t.toString() + '"');
    }
  }

  @Test
  void edgesOfMonthsLeapYearsAndFractionsReadAsTheJdkReadsThem() {
    for (String text : new String[] {"1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999999999Z", "2000-02-29T12:00:00.5Z", "2100-03-01T00:00:00.12Z",
        "0000-01-01T00:00:00Z", "1969-12-31T23:59:59.1234Z", "2026-11-27T09:00:00.000Z"}) {
      assertThat(IsoInstants.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void shapesBeyondTheFastPathStillReadAsTheJdkReadsThem() {
    for (String text : new String[] {"2026-11-27T10:00:00+01:00", "+10000-01-01T00:00:00Z", "2026-11-27T23:59:60Z",
        "2026-11-27T24:00:00Z", "2026-11-27T09:00:00.Z"}) {
      assertThat(IsoInstants.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void impossibleDatesAreRefusedLikeTheJdkRefusesThem() {
    for (String text : new String[] {"2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-11-27T09:00:00.1234567890Z", "2026-11-27 09:00:00Z", "yesterday"}) {
      assertThatThrownBy(() -> IsoInstants.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
    }
  }

  @Test
  void theSharedMapperUsesItAndReportsABadInstantAsAnInputError() throws Exception {
    Instant t = Instant.parse("2026-11-27T09:00:00.250Z");
    assertThat(Json.mapper().writeValueAsString(t)).isEqualTo("\"2026-11-27T09:00:00.250Z\"");
    assertThat(Json.mapper().readValue("\"2026-11-27T09:00:00.250Z\"", Instant.class)).isEqualTo(t);
    assertThatThrownBy(() -> Json.mapper().readValue("\"2026-02-30T00:00:00Z\"", Instant.class)).isInstanceOf(InvalidFormatException.class);
  }
}
