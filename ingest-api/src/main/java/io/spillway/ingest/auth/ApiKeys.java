package io.spillway.ingest.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Maps {@code Authorization: Bearer <key>} to a tenant. Keys are held only as SHA-256 digests, so
 * neither a heap dump nor a log line can show one.
 */
public final class ApiKeys {

  private final Map<ByteBuffer, String> tenantByDigest = new HashMap<>();
  // one digest per thread (the event loops): MessageDigest.getInstance is a provider lookup
  private final ThreadLocal<MessageDigest> sha256 = ThreadLocal.withInitial(ApiKeys::newDigest);

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

  private ByteBuffer digest(String key) {
    return ByteBuffer.wrap(sha256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
