/**
 * Redis connections for the queue: a `redis://[user:password@]host:port[/db]` URL → ioredis connection options set
 * up the way BullMQ needs them (workers block on Redis, so commands are never retried by ioredis itself; BullMQ
 * reconnects). BullMQ is given options, not a client, so it opens and closes its own connections.
 */
import type { RedisOptions } from 'bullmq';
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

/** Connection options for a BullMQ Queue or Worker. */
export function redisOptions(url: string): RedisOptions {
  checkRedisUrl(url);
  const u = new URL(url);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.username === '' ? {} : { username: decodeURIComponent(u.username) }),
    ...(u.password === '' ? {} : { password: decodeURIComponent(u.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
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
