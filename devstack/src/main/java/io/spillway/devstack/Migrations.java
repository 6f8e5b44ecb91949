package io.spillway.devstack;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the Flyway migrations that ship in the schemas jar ({@code classpath:db/migration}). */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /** Migrates the database to the newest schema; safe to run from several processes at once. */
  public static MigrateResult apply(PgEndpoint db) {
    MigrateResult result =
        Flyway.configure()
            .dataSource(db.url(), db.user(), db.password())
            .locations("classpath:db/migration")
            .load()
            .migrate();
    log.info("PostgreSQL schema at version {} ({} migrations applied)", result.targetSchemaVersion, result.migrationsExecuted);
    return result;
  }
}
