package io.asyncgate.simulator;

import akka.http.javadsl.model.StatusCodes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The first answer given to each {@code Idempotency-Key}, so that a repeated request gets that answer
 * again instead of a second effect. Bounded: the oldest keys are forgotten first.
 */
final class IdempotencyKeys {
  /** What a key was first used for: the same key on anything else is a client error. */
  private record Fingerprint(String method, String path, byte[] bodyDigest) {
    boolean matches(Fingerprint other) {
      return method.equals(other.method) && path.equals(other.path) && Arrays.equals(bodyDigest, other.bodyDigest);
    }
  }

  private record Entry(Fingerprint fingerprint, CompletableFuture<Reply> reply) {}

  private final Map<String, Entry> entries;

  IdempotencyKeys(int capacity) {
    this.entries = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * Runs {@code effect} the first time {@code key} is seen; afterwards answers with its reply (waiting
   * for it while the first request is still in flight), or 422 when the key came with another request.
   */
  CompletionStage<Reply> once(String key, String method, String path, byte[] body, Supplier<Reply> effect) {
    Fingerprint fingerprint = new Fingerprint(method, path, sha256(body));
    Entry mine = new Entry(fingerprint, new CompletableFuture<>());
    Entry existing;
    synchronized (entries) {
      existing = entries.putIfAbsent(key, mine);
    }
    if (existing == null) {
      try {
        mine.reply().complete(effect.get());
      } catch (RuntimeException e) {
        // No answer was given, so there is none to repeat: a retry with this key tries again.
        synchronized (entries) {
          entries.remove(key, mine);
        }
        mine.reply().completeExceptionally(e);
      }
      return mine.reply();
    }
    if (!existing.fingerprint().matches(fingerprint)) {
      Fingerprint first = existing.fingerprint();
      return CompletableFuture.completedFuture(Reply.problem(StatusCodes.UNPROCESSABLE_ENTITY,
          "idempotency-key-reused", "IdempotencyKeyReused",
          "Idempotency-Key " + key + " was first used for " + first.method() + " " + first.path()
              + (first.method().equals(method) && first.path().equals(path) ? " with another body" : "")
              + "; use a new key for a different request."));
    }
    return existing.reply();
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
