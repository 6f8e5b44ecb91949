package io.spillway.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** On a machine with only a JDK nothing answers at the default addresses: embedded parts start. */
class EmbeddedFallbackIT {

  private static final int NOTHING_LISTENS = Ports.free();

  @Test
  void startsAnEmbeddedPostgresWhenNoServerAnswers() {
    PgEndpoint silent =
        new PgEndpoint("jdbc:postgresql://127.0.0.1:" + NOTHING_LISTENS + "/test", "postgres", "");

    try (PostgresProvider pg = PostgresProvider.start(Optional.empty(), silent, null, "fallback_db")) {
      assertThat(pg.embedded()).isTrue();
      assertThat(pg.endpoint().answers()).isTrue();
      assertThat(pg.endpoint().url()).endsWith("/fallback_db");
      Migrations.apply(pg.endpoint());
    }
  }

  @Test
  void startsAnEmbeddedRedisWhenNoServerAnswers() {
    try (RedisProvider redis =
        RedisProvider.start(Optional.empty(), URI.create("redis://127.0.0.1:" + NOTHING_LISTENS))) {
      assertThat(redis.embedded()).isTrue();
      assertThat(RedisProvider.answers(redis.uri())).isTrue();
    }
  }

  @Test
  void aConfiguredPostgresThatDoesNotAnswerStopsTheStartNamingTheVariable() {
    PgEndpoint silent =
        new PgEndpoint("jdbc:postgresql://127.0.0.1:" + NOTHING_LISTENS + "/test", "postgres", "");

    assertThatThrownBy(() -> PostgresProvider.start(Optional.of(silent), silent, null, null))
        .hasMessageStartingWith("SPILLWAY_PG_URL");
  }
}
