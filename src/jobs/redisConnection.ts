/**
 * Redis connections for the queue: a `redis://[user:password@]host:port[/db]` URL → an ioredis client set up the
 * way BullMQ needs it (workers block on Redis, so commands are never retried by ioredis itself; BullMQ reconnects).
 */
import { Redis } from 'ioredis';
import { OptionError } from '../util/errors.js';

export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OptionError('--redis', 'a URL such as redis://127.0.0.1:6379', url);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new OptionError('--redis', 'a redis:// or rediss:// URL', url);
}

/** A client for a BullMQ Queue or Worker; `lazyConnect` is off, so a wrong address fails on the first command. */
export function openRedis(url: string): Redis {
  checkRedisUrl(url);
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** Fails fast, naming the URL, when no Redis answers there (instead of BullMQ retrying for ever). */
export async function requireRedis(url: string, timeoutMs = 5000): Promise<void> {
  checkRedisUrl(url);
  const probe = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new OptionError('--redis', `the URL of a running Redis server (none answered: ${(e as Error).message}; start one with redis-server)`, url);
  } finally {
    probe.disconnect();
  }
}
