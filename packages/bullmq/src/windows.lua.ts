/**
 * Sliding rate windows and the Retry-After pause, checked and taken in one step on Redis's clock.
 *
 * Why a script of our own: rate-limiter-flexible's Redis limiters count fixed windows (a burst of
 * 2 × limit fits across a window boundary) and take one window per call, and BullMQ's limiter is a
 * fixed window for the whole queue; asynchttp's rule is "at most `limit` starts within ANY `interval`
 * ms, every window at once", so several sorted-set logs must be checked and written atomically.
 *
 * KEYS[1]: the origin's pause key; KEYS[2..]: one sorted set per window.
 * ARGV[1]: a unique member for this start; then limit, interval for each window.
 * Returns 0 (taken) or how many ms to wait before trying again.
 */
export const windowsScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return paused end
local wait = 0
for i = 2, #KEYS do
  local limit = tonumber(ARGV[2 * i - 2])
  local interval = tonumber(ARGV[2 * i - 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - interval)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + interval - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i - 1]))
end
return 0
`;
