package io.spillway.devstack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

/**
 * Where a PostgreSQL database answers.
 *
 * @param url the JDBC URL
 * @param user the user
 * @param password the password, empty for trust authentication
 */
public record PgEndpoint(String url, String user, String password) {

  public PgEndpoint {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** A new connection; the caller closes it. */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "3");
    return DriverManager.getConnection(url, props);
  }

  /** Whether the database accepts a connection now. */
  public boolean answers() {
    try (Connection c = connect()) {
      return c.isValid(3);
    } catch (SQLException e) {
      return false;
    }
  }

  /** The same server, another database. */
  public PgEndpoint withDatabase(String database) {
    int slash = url.indexOf('/', "jdbc:postgresql://".length());
    int query = url.indexOf('?', Math.max(slash, 0));
    String base = slash < 0 ? url : url.substring(0, slash);
    String params = query < 0 ? "" : url.substring(query);
    return new PgEndpoint(base + "/" + database + params, user, password);
  }
}
