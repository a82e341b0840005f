import type { Redis } from 'ioredis';

/** A Lua script sent once and then called by its SHA (ioredis defineCommand: EVALSHA, EVAL on NOSCRIPT). */
export type RedisScript = (...keysThenArgs: (string | Buffer | number)[]) => Promise<unknown>;

export function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): RedisScript {
  const commands = redis as unknown as Record<string, RedisScript>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
  return (...args) => commands[name]!.apply(redis, args);
}
