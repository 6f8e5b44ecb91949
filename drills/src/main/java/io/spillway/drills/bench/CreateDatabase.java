package io.spillway.drills.bench;

import io.spillway.devstack.Migrations;
import io.spillway.devstack.PgEndpoint;
import java.sql.Connection;
import java.sql.Statement;

/** Creates a fresh database and applies the migrations. Arguments: JDBC URL, user, database name. */
public final class CreateDatabase {

  private CreateDatabase() {}

  public static void main(String[] args) throws Exception {
    PgEndpoint server = new PgEndpoint(args[0], args[1], System.getenv().getOrDefault("SPILLWAY_PG_PASSWORD", ""));
    if (!args[2].matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain database name: " + args[2]);
    }
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + args[2]);
    }
    Migrations.apply(server.withDatabase(args[2]));
  }
}
