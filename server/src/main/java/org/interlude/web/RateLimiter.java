package org.interlude.web;

/**
 * A token bucket: {@code burst} actions at once, refilled at {@code perSecond}. Synchronised,
 * since one user's sockets on this node may sit on different event loops.
 */
public final class RateLimiter {
  private final double capacity;
  private final double perNano;
  private double tokens;
  private long last;

  public RateLimiter(int burst, double perSecond) {
    this.capacity = burst;
    this.perNano = perSecond / 1e9;
    this.tokens = burst;
    this.last = System.nanoTime();
  }

  /** Takes one token; false when the bucket is empty (the action must be refused, not queued). */
  public synchronized boolean tryAcquire() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
