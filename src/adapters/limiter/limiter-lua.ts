// The limiter's one atomic step in Redis. It repeats src/core/limit/gcra.ts,
// src/core/limit/penalty-box.ts and src/core/limit/sanction.ts integer for integer, on the same
// grid of 1/1024 ms, with Redis `TIME` as the only clock; test/integration/redis-agreement.test.ts
// holds them together. Lua numbers are doubles: every value here stays below 2^53 (epoch steps
// ≈ 1.8e15, and policy validation keeps burst × interval within 30 days), so the arithmetic is exact.
//
// KEYS: [sanction key when ARGV[4] == "1"], [penalty-box key when ARGV[3] == "1"], then one key
//       per limit.
// ARGV: op ("charge" | "undo" | "forgive"), cost, box flag, sanction flag, violations, within,
//       block, maxBlock (steps), record-violation flag (undo only; for forgive: the end, in
//       steps, of the block the forgiven violation started, 0 when it started none), factor ‰
//       (undo only: the one the charge used), then per limit: interval (steps), burst, shadow
//       flag, caller-owned flag.
// Reply: {now, status (0 allowed, 1 limited, 2 blocked by the penalty box, 3 blocked by a
//         sanction), block steps, block started (0/1), factor ‰ applied to caller-owned limits,
//         then per limit: allowed, remaining, reset, retry, tat}.
// "charge" commits every passing limit only when no enforced limit fails, and sets each key's
// TTL in the same write. "undo" gives a charge back (Cluster requests spanning slots). "forgive"
// takes one violation back from the penalty box (the caller was answered before we counted it).

export const LIMITER_LUA = `
local op, cost, hasBox, hasSanction = ARGV[1], tonumber(ARGV[2]), ARGV[3] == "1", ARGV[4] == "1"
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1024000 + math.floor(tonumber(t[2]) * 128 / 125)
local sanctionAt = hasSanction and 1 or 0
local boxAt = hasBox and sanctionAt + 1 or 0
local first = math.max(sanctionAt, boxAt) + 1
local n = #KEYS - first + 1
local factor = tonumber(ARGV[10])

local function int(x) return string.format("%.0f", x) end
local function ttl(untilSteps) return int(math.floor((untilSteps - now) / 1024) + 1) end

local function whole(span, interval)
  if span <= 0 then return 0 end
  local k = math.floor(span / interval)
  if k * interval > span then k = k - 1 elseif (k + 1) * interval <= span then k = k + 1 end
  return k
end

-- A lowered limit: each unit takes a longer interval, the tolerance stays (at least one unit).
local function unitOf(interval, owned)
  if not owned or factor >= 1000 then return interval end
  return math.ceil(interval * 1000 / factor)
end

-- allowed, tat, remaining, reset, retry
local function gcra(tat, written, burst, c, owned)
  local interval = unitOf(written, owned)
  local tolerance = math.max(written * burst, interval)
  local base = now
  if tat ~= nil and tat >= now then base = tat end
  local candidate = base + interval * c
  local excess = candidate - now - tolerance
  if excess > 0 then return 0, tat or base, whole(tolerance - (base - now), interval), base - now, excess end
  return 1, candidate, whole(tolerance - (candidate - now), interval), candidate - now, 0
end

if hasSanction then
  local v = redis.call("HMGET", KEYS[sanctionAt], "b", "f", "u")
  local bu = tonumber(v[1]) or 0
  if op == "charge" and bu > now then return {now, 3, bu - now, 0, 1000} end
  if (tonumber(v[3]) or 0) > now then factor = tonumber(v[2]) or 1000 end
end

-- Limit i's row is reply[5i + 1 .. 5i + 5], its arguments ARGV[4i + 7 .. 4i + 10].
local reply = {now, 0, 0, 0, factor}
local stored = {}

-- The charge every request makes, first and on its own: Redis runs it once per decision, so it
-- creates no helper, table or string it does not need (the rarer paths below do).
if op == "charge" then
  if hasBox then
    local bu = tonumber(redis.call("HGET", KEYS[boxAt], "b")) or 0
    if bu > now then return {now, 2, bu - now, 0, factor} end
  end
  if n > 0 then stored = redis.call("MGET", unpack(KEYS, first)) end
  local denied = false
  for i = 1, n do
    local a, at = 4 * i + 7, 5 * i + 1
    local ok, nxt, remaining, reset, retry = gcra(tonumber(stored[i]), tonumber(ARGV[a]), tonumber(ARGV[a + 1]), cost, ARGV[a + 3] == "1")
    reply[at], reply[at + 1], reply[at + 2], reply[at + 3], reply[at + 4] = ok, remaining, reset, retry, nxt
    if ok == 0 and ARGV[a + 2] ~= "1" then denied = true end
  end
  if not denied then
    -- Every passing limit is charged; a failing shadow limit is not.
    for i = 1, n do
      local at = 5 * i + 1
      if reply[at] == 1 then redis.call("SET", KEYS[first + i - 1], int(reply[at + 4]), "PX", ttl(reply[at + 4])) end
    end
    return reply
  end
end

local function violate()
  local violations, within, block, maxBlock = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
  local v = redis.call("HMGET", KEYS[boxAt], "c", "w", "b", "l")
  local count, wend, bu, level = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or 0
  if not (level > 0 and bu + maxBlock > now) then bu, level = 0, 0 end
  if wend <= now then count = 0; wend = now + within end
  count = count + 1
  local steps = 0
  if count >= violations then
    -- What the block replaces, so that "forgive" can put it back.
    redis.call("HSET", KEYS[boxAt], "pw", int(wend), "pb", int(bu))
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
  redis.call("HSET", KEYS[boxAt], "c", int(count), "w", int(wend), "b", int(bu), "l", int(level))
  redis.call("PEXPIRE", KEYS[boxAt], ttl(keep))
  return steps
end

-- One violation less: the count in the open window, or the block that violation started (only
-- if it is still that block: a later one is somebody's real streak) back to one short of it.
local function forgive(startedUntil)
  local v = redis.call("HMGET", KEYS[boxAt], "c", "w", "b", "l", "pw", "pb")
  local count, wend, bu, level = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or 0
  if startedUntil > 0 then
    if bu ~= startedUntil or level < 1 then return end
    count, wend, bu, level = tonumber(ARGV[5]) - 1, tonumber(v[5]) or 0, tonumber(v[6]) or 0, level - 1
  elseif count > 0 and wend > now then
    count = count - 1
  else
    return
  end
  local keep = wend
  if level > 0 and bu + tonumber(ARGV[8]) > keep then keep = bu + tonumber(ARGV[8]) end
  if keep <= now then redis.call("DEL", KEYS[boxAt]); return end
  redis.call("HSET", KEYS[boxAt], "c", int(count), "w", int(wend), "b", int(bu), "l", int(level))
  redis.call("PEXPIRE", KEYS[boxAt], ttl(keep))
end

if op == "forgive" then
  if hasBox then forgive(tonumber(ARGV[9])) end
  return reply
end

if op == "undo" then
  for i = 1, n do
    local a, at, key = 4 * i + 7, 5 * i + 1, KEYS[first + i - 1]
    local interval, burst, owned = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 3] == "1"
    local tat = tonumber(redis.call("GET", key))
    if tat ~= nil then
      tat = tat - unitOf(interval, owned) * cost
      if tat > now then redis.call("SET", key, int(tat), "PX", ttl(tat)) else redis.call("DEL", key); tat = nil end
    end
    local _, stays, remaining, reset = gcra(tat, interval, burst, 0, owned)
    reply[at], reply[at + 1], reply[at + 2], reply[at + 3], reply[at + 4] = 1, remaining, reset, 0, stays
  end
  if hasBox and ARGV[9] == "1" then
    local steps = violate()
    if steps > 0 then return {now, 2, steps, 1, factor} end
  end
  return reply
end

-- Only a charge an enforced limit denied comes this far: nothing is charged, the penalty box
-- counts a violation, and a passing limit reports what stays (cost 0). Any other op is refused
-- here rather than taken for one.
if op ~= "charge" then return redis.error_reply("limiter script: unknown op " .. tostring(op)) end
if hasBox then
  local steps = violate()
  if steps > 0 then return {now, 2, steps, 1, factor} end
end
for i = 1, n do
  local a, at = 4 * i + 7, 5 * i + 1
  if reply[at] == 1 then
    local _, stays, remaining, reset = gcra(tonumber(stored[i]), tonumber(ARGV[a]), tonumber(ARGV[a + 1]), 0, ARGV[a + 3] == "1")
    reply[at + 1], reply[at + 2], reply[at + 3], reply[at + 4] = remaining, reset, 0, stays
  end
end
reply[2] = 1
return reply
`;
