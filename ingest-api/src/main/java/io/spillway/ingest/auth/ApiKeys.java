package io.spillway.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Maps {@code Authorization: Bearer <key>} to a tenant. Keys are held only as SHA-256 digests, so
 * neither a heap dump nor a log line can show one.
 */
public final class ApiKeys {

  private final Map<String, String> tenantByDigest = new HashMap<>();

  public ApiKeys(Map<String, String> tenantByKey) {
    tenantByKey.forEach((key, tenant) -> tenantByDigest.put(digest(key), tenant));
  }

  /** The tenant of an Authorization header value, if it carries a known key. */
  public Optional<String> tenantOf(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String key = authorization.substring(7).trim();
    if (key.isEmpty() || key.length() > 256) {
      return Optional.empty();
    }
    return Optional.ofNullable(tenantByDigest.get(digest(key)));
  }

  private static String digest(String key) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
