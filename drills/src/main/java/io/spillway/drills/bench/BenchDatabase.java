package io.spillway.drills.bench;

import io.spillway.devstack.Migrations;
import io.spillway.devstack.PgEndpoint;
import java.sql.Connection;
import java.sql.Statement;

/**
 * A benchmark's own database: {@code create} makes it fresh and applies the migrations, {@code drop}
 * removes it when the benchmark ends (a run leaves over a million job rows behind otherwise).
 * Arguments: create|drop, JDBC URL of the server, user, database name.
 */
public final class BenchDatabase {

  private BenchDatabase() {}

  public static void main(String[] args) throws Exception {
    PgEndpoint server = new PgEndpoint(args[1], args[2], System.getenv().getOrDefault("SPILLWAY_PG_PASSWORD", ""));
    String name = args[3];
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain database name: " + name);
    }
    switch (args[0]) {
      case "create" -> {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
          s.execute("CREATE DATABASE " + name);
        }
        Migrations.apply(server.withDatabase(name));
      }
      case "drop" -> {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
          s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
      }
      default -> throw new IllegalArgumentException("create or drop, not " + args[0]);
    }
  }
}
