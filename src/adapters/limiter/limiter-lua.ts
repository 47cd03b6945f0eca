// The limiter's one atomic step in Redis. It repeats src/core/limit/gcra.ts and
// src/core/limit/penalty-box.ts integer for integer, on the same grid of 1/1024 ms, with Redis
// `TIME` as the only clock; test/integration/redis-agreement.test.ts holds them together.
// Lua numbers are doubles: every value here stays below 2^53 (epoch steps ≈ 1.8e15, and
// policy validation keeps burst × interval within 30 days), so the arithmetic is exact.
//
// KEYS: [penalty-box key when ARGV[3] == "1"], then one key per limit.
// ARGV: op ("charge" | "undo"), cost, box flag, violations, within, block, maxBlock (steps),
//       record-violation flag (undo only), then per limit: interval (steps), burst, shadow flag.
// Reply: {now, status (0 allowed, 1 limited, 2 blocked), block steps, block started (0/1),
//         then per limit: allowed, remaining, reset, retry, tat}.
// "charge" commits every passing limit only when no enforced limit fails, and sets each key's
// TTL in the same write. "undo" gives a charge back (Cluster requests spanning slots).

export const LIMITER_LUA = `
local op, cost, hasBox = ARGV[1], tonumber(ARGV[2]), ARGV[3] == "1"
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1024000 + math.floor(tonumber(t[2]) * 128 / 125)
local first = hasBox and 2 or 1
local n = #KEYS - first + 1

local function int(x) return string.format("%.0f", x) end
local function ttl(untilSteps) return int(math.floor((untilSteps - now) / 1024) + 1) end

local function whole(span, interval)
  if span <= 0 then return 0 end
  local k = math.floor(span / interval)
  if k * interval > span then k = k - 1 elseif (k + 1) * interval <= span then k = k + 1 end
  return k
end

-- allowed, tat, remaining, reset, retry
local function gcra(tat, interval, burst, c)
  local tolerance = interval * burst
  local base = now
  if tat ~= nil and tat >= now then base = tat end
  local candidate = base + interval * c
  local excess = candidate - now - tolerance
  if excess > 0 then return 0, tat or base, whole(tolerance - (base - now), interval), base - now, excess end
  return 1, candidate, whole(tolerance - (candidate - now), interval), candidate - now, 0
end

local function violate()
  local violations, within, block, maxBlock = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  local v = redis.call("HMGET", KEYS[1], "c", "w", "b", "l")
  local count, wend, bu, level = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or 0
  if not (level > 0 and bu + maxBlock > now) then bu, level = 0, 0 end
  if wend <= now then count = 0; wend = now + within end
  count = count + 1
  local steps = 0
  if count >= violations then
    level = level + 1
    steps = block
    for _ = 2, level do
      if steps >= maxBlock then break end
      steps = steps * 2
    end
    if steps > maxBlock then steps = maxBlock end
    count, wend, bu = 0, 0, now + steps
  end
  local keep = wend
  if level > 0 and bu + maxBlock > keep then keep = bu + maxBlock end
  redis.call("HSET", KEYS[1], "c", int(count), "w", int(wend), "b", int(bu), "l", int(level))
  redis.call("PEXPIRE", KEYS[1], ttl(keep))
  return steps
end

local function limit(i)
  local a = 9 + (i - 1) * 3
  return KEYS[first + i - 1], tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 2] == "1"
end

local reply = {now, 0, 0, 0}
local function row(ok, remaining, reset, retry, tat)
  local m = #reply
  reply[m + 1], reply[m + 2], reply[m + 3], reply[m + 4], reply[m + 5] = ok, remaining, reset, retry, tat
end

if op == "undo" then
  for i = 1, n do
    local key, interval, burst = limit(i)
    local tat = tonumber(redis.call("GET", key))
    if tat ~= nil then
      tat = tat - interval * cost
      if tat > now then redis.call("SET", key, int(tat), "PX", ttl(tat)) else redis.call("DEL", key); tat = nil end
    end
    local _, stays, remaining, reset = gcra(tat, interval, burst, 0)
    row(1, remaining, reset, 0, stays)
  end
  if hasBox and ARGV[8] == "1" then
    local steps = violate()
    if steps > 0 then return {now, 2, steps, 1} end
  end
  return reply
end

if hasBox then
  local bu = tonumber(redis.call("HGET", KEYS[1], "b")) or 0
  if bu > now then return {now, 2, bu - now, 0} end
end
local rows, denied = {}, false
local stored = n > 0 and redis.call("MGET", unpack(KEYS, first)) or {}
for i = 1, n do
  local key, interval, burst, shadow = limit(i)
  local tat = tonumber(stored[i])
  local ok, nxt, remaining, reset, retry = gcra(tat, interval, burst, cost)
  rows[i] = {ok, nxt, remaining, reset, retry, tat}
  if ok == 0 and not shadow then denied = true end
end
if denied and hasBox then
  local steps = violate()
  if steps > 0 then return {now, 2, steps, 1} end
end
for i = 1, n do
  local key, interval, burst = limit(i)
  local r = rows[i]
  if r[1] == 1 and denied then
    -- Nothing is charged, so a passing limit reports what stays (cost 0).
    local _, stays, remaining, reset = gcra(r[6], interval, burst, 0)
    r = {1, stays, remaining, reset, 0}
  elseif r[1] == 1 then
    redis.call("SET", key, int(r[2]), "PX", ttl(r[2]))
  end
  row(r[1], r[3], r[4], r[5], r[2])
end
if denied then reply[2] = 1 end
return reply
`;
