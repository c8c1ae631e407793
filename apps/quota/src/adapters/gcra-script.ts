/**
 * The Redis side of `domain/gcra.ts`: one Lua script that checks and charges every limit of a
 * request atomically, in one round trip, using the server's clock (`TIME`), so all quota
 * instances agree on time. Reviewed line by line against the TypeScript reference; the shared
 * contract suite runs both. Chosen over rate-limiter-flexible because its GCRA-like limiters
 * (RateLimiterRedis) charge one key per call: charging agent + tenant + region atomically
 * with all-or-nothing semantics and shadow limits needs a script anyway.
 *
 * Units: microseconds. Times near 1.7e15 µs fit a Lua double exactly (< 2^53) and are written
 * with %.17g, because Lua's tostring keeps only 14 digits.
 *
 * KEYS[1..n]  TAT key of each limit (all in one hash slot: same `{scope}` tag)
 * KEYS[n+1]   active-agents HyperLogLog bucket (only when ARGV[3] ~= '')
 * KEYS[#KEYS] replay marker of the action (only when ARGV[5+3n] ~= '')
 * ARGV[1] cost units, ARGV[2] n, ARGV[3] active member or '', ARGV[4] bucket TTL ms,
 * ARGV[5+3(i-1)..] per limit: emission interval µs, tolerance µs (burst·interval), shadow 0/1,
 * ARGV[5+3n] replay window ms or ''.
 * Returns {allowed, then per limit: allowed, remaining, retry-after µs, reset-after µs, then
 * replay 0/1}. A replay (marker present) charges nothing and answers allowed; the marker is set
 * only together with the charge of an allowed check.
 */
export const GCRA_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local window = ARGV[5 + 3 * n]
local replay = 0
if window ~= '' and redis.call('EXISTS', KEYS[#KEYS]) == 1 then replay = 1 end
if ARGV[3] ~= '' then
  if redis.call('PFADD', KEYS[n + 1], ARGV[3]) == 1 then
    redis.call('PEXPIRE', KEYS[n + 1], ARGV[4])
  end
end
local out = {1}
local tats = {}
local ok = {}
local all = 1
for i = 1, n do
  local base = 5 + (i - 1) * 3
  local interval = tonumber(ARGV[base])
  local tolerance = tonumber(ARGV[base + 1])
  local shadow = ARGV[base + 2] == '1'
  local tat = tonumber(redis.call('GET', KEYS[i]) or '')
  if tat == nil or tat < now then tat = now end
  -- A TAT beyond now + tolerance can only come from clock skew between masters (failover).
  if tat > now + tolerance then tat = now + tolerance end
  local newTat = tat + cost * interval
  local allowAt = newTat - tolerance
  local a, rem, retry, reset
  if allowAt - now > 1 then
    a = 0
    rem = math.floor((tolerance - (tat - now)) / interval + 1e-6)
    retry = math.ceil(allowAt - now)
    reset = math.ceil(tat - now)
    tats[i] = tat
    if not shadow then all = 0 end
  else
    a = 1
    rem = math.floor((tolerance - (newTat - now)) / interval + 1e-6)
    retry = 0
    reset = math.ceil(newTat - now)
    tats[i] = newTat
  end
  if rem < 0 then rem = 0 end
  ok[i] = a
  local j = 2 + (i - 1) * 4
  out[j] = a
  out[j + 1] = rem
  out[j + 2] = retry
  out[j + 3] = reset
end
if all == 1 and replay == 0 then
  if window ~= '' then redis.call('SET', KEYS[#KEYS], '1', 'PX', window) end
  for i = 1, n do
    if ok[i] == 1 then
      local ttl = math.ceil((tats[i] - now) / 1000) + 1
      redis.call('SET', KEYS[i], string.format('%.17g', tats[i]), 'PX', ttl)
    end
  end
end
if replay == 1 then all = 1 end
out[1] = all
out[2 + 4 * n] = replay
return out
`;

/**
 * The undo of an allowed GCRA_SCRIPT call (`domain/gcra.ts` `gcraRefund`): each TAT moves back by
 * cost·interval; a TAT at or before now is deleted (the limit is full). Same hash slot rules.
 *
 * KEYS[1..n]  TAT keys of the limits that were charged
 * KEYS[n+1]   replay marker to delete (only when #KEYS > n)
 * ARGV[1] cost units, ARGV[2] n, ARGV[2+i] emission interval µs of limit i.
 */
export const GCRA_REFUND_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '')
  if tat ~= nil then
    local back = tat - cost * tonumber(ARGV[2 + i])
    if back <= now then
      redis.call('DEL', KEYS[i])
    else
      redis.call('SET', KEYS[i], string.format('%.17g', back), 'PX', math.ceil((back - now) / 1000) + 1)
    end
  end
end
if #KEYS > n then redis.call('DEL', KEYS[n + 1]) end
return n
`;
