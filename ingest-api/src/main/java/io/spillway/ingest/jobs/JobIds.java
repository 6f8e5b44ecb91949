package io.spillway.ingest.jobs;

import io.spillway.schemas.JobType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, self-describing job ids. An id carries its job type and submit time (unless it was
 * derived from an Idempotency-Key) and a MAC over those bytes and the tenant, so the API can say
 * QUEUED for a job nothing has recorded yet — even with Redis and PostgreSQL down — and answer
 * 404 to any other tenant, without a lookup. Replicas sharing the secret read each other's ids.
 *
 * <p>Layout (32 bytes, base64url, 43 characters): version, type, flags, submit time (8 bytes,
 * epoch ms, 0 when derived from a key), nonce (11 bytes), MAC (10 bytes of HMAC-SHA256).
 */
public final class JobIds {

  private static final byte VERSION = 1;
  private static final byte FLAG_IDEMPOTENT = 1;
  private static final int NONCE = 11;
  private static final int BODY = 22;
  private static final int MAC = 10;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  // one keyed Mac and one nonce source per thread (the event loops): Mac.getInstance and init cost
  // more than the MAC itself, and the default SecureRandom serialises all threads on one lock
  private final ThreadLocal<Mac> macs;
  private final ThreadLocal<Nonces> nonces = ThreadLocal.withInitial(Nonces::new);

  public JobIds(byte[] secret) {
    this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  /**
   * Nonces cut from blocks of a DRBG's output. A generator call costs a few SHA-256 compressions
   * whatever it returns (measured: 3% of the API's CPU at one call per job), so one call yields
   * the nonces of 64 jobs, each as unpredictable as if drawn alone.
   */
  private static final class Nonces {
    private final SecureRandom random = newRandom();
    private final byte[] block = new byte[NONCE * 64];
    private int next = block.length;

    byte[] next() {
      if (next == block.length) {
        random.nextBytes(block);
        next = 0;
      }
      byte[] nonce = java.util.Arrays.copyOfRange(block, next, next + NONCE);
      next += NONCE;
      return nonce;
    }

    private static SecureRandom newRandom() {
      try {
        return SecureRandom.getInstance("DRBG");
      } catch (NoSuchAlgorithmException e) {
        return new SecureRandom();
      }
    }
  }

  /** What an id says about its job. */
  public record Decoded(JobType type, Optional<Instant> submittedAt) {}

  /** A fresh id for a job submitted now. */
  public String newId(String tenant, JobType type, Instant submittedAt) {
    return encode(tenant, type, (byte) 0, submittedAt.toEpochMilli(), nonces.get().next());
  }

  /** The one id of a tenant's Idempotency-Key: every retry of the request gets the same. */
  public String idempotentId(String tenant, JobType type, String idempotencyKey) {
    byte[] nonce = new byte[NONCE];
    System.arraycopy(mac("idempotency\n" + tenant + "\n" + type.wireName() + "\n" + idempotencyKey), 0, nonce, 0, NONCE);
    return encode(tenant, type, FLAG_IDEMPOTENT, 0L, nonce);
  }

  /** Decodes an id if it is well formed and was issued to this tenant. */
  public Optional<Decoded> decode(String tenant, String id) {
    if (id == null || id.length() != 43) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(id);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (bytes.length != BODY + MAC || bytes[0] != VERSION) {
      return Optional.empty();
    }
    byte[] expected = sign(tenant, bytes);
    if (!MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(bytes, BODY, BODY + MAC))) {
      return Optional.empty();
    }
    JobType[] types = JobType.values();
    if (bytes[1] < 0 || bytes[1] >= types.length) {
      return Optional.empty();
    }
    long millis = ByteBuffer.wrap(bytes, 3, 8).getLong();
    Optional<Instant> submitted = (bytes[2] & FLAG_IDEMPOTENT) != 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    return Optional.of(new Decoded(types[bytes[1]], submitted));
  }

  private String encode(String tenant, JobType type, byte flags, long millis, byte[] nonce) {
    ByteBuffer buf = ByteBuffer.allocate(BODY + MAC);
    buf.put(VERSION).put((byte) type.ordinal()).put(flags).putLong(millis).put(nonce);
    byte[] bytes = buf.array();
    System.arraycopy(sign(tenant, bytes), 0, bytes, BODY, MAC);
    return ENCODER.encodeToString(bytes);
  }

  private byte[] sign(String tenant, byte[] bytes) {
    Mac mac = macs.get(); // doFinal leaves it reset for the next use
    mac.update(bytes, 0, BODY);
    mac.update(tenant.getBytes(StandardCharsets.UTF_8));
    return java.util.Arrays.copyOf(mac.doFinal(), MAC);
  }

  private byte[] mac(String text) {
    return macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8));
  }
}
