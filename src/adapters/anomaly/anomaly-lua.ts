// The anomaly rules' one atomic step in Redis, the twin of src/core/anomaly/evaluate-plan.ts:
// the same counting, the same integer arithmetic (volume.ts explains the one fractional step),
// the same order, then the cooldown claim — so of several replicas observing one identity,
// exactly one sees each alert. TTLs are set here, in the same write. Every key carries the
// identity's hash tag, so the script runs on Redis Cluster too.
// test/adapters/anomaly/script-twin.test.ts holds the two together.
//
// KEYS: volume, probing, reconnaissance, sharing, then the four cooldowns in that order
//       (placeholders for rules the plan leaves out: they are not touched).
// ARGV: time (ms), kind ("d" decision | "o" outcome), then per rule, ending in the cooldown
//       and the cooldown key's TTL:
//       volume:         3 on, bucket, N, factor‰, minRequests, forgetWindows, ttl, cooldown, ttl
//       probing:       12 on, bad, minRequests, share‰, ttl, cooldown, ttl
//       reconnaissance: 19 on, member, cap, ttl, cooldown, ttl
//       sharing:       25 on, member, cap, ttl, cooldown, ttl
// Reply: for each rule that fired and claimed its cooldown: rule index (0–3) and three numbers
//        (volume: count, baseline‰ of a request, threshold; probing: total, bad, share‰;
//        reconnaissance / sharing: distinct members, 0, 0).

export const ANOMALY_LUA = `
local t = tonumber(ARGV[1])
local out = {}
local function int(x) return string.format("%.0f", x) end
local function fire(rule, a, b, c)
  local m = #out
  out[m + 1], out[m + 2], out[m + 3], out[m + 4] = rule, a, b, c
end
local function claim(key, cooldown, ttl)
  local u = tonumber(redis.call("GET", key))
  if u ~= nil and u > t then return false end
  redis.call("SET", key, int(t + tonumber(cooldown)), "PX", ttl)
  return true
end
local function decay(n, k)
  local base, result, rest = (n - 1) / n, 1, k
  while rest > 0 do
    if rest % 2 == 1 then result = result * base end
    base = base * base
    rest = math.floor(rest / 2)
  end
  return result
end

if ARGV[3] == "1" then
  local bucket, n, factor = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
  local minReq, forget = tonumber(ARGV[7]), tonumber(ARGV[8])
  local v = redis.call("HMGET", KEYS[1], "b", "c", "e", "w")
  local sb, sc, se, sw = tonumber(v[1]), tonumber(v[2]), tonumber(v[3]), tonumber(v[4])
  local b, c, e, w
  if sb == nil or bucket - sb > forget then
    b, c, e, w = bucket, 1, 0, 0
  elseif bucket > sb then
    local k = math.min(sw, n - 1)
    local folded = math.floor((k * se + sc * 1000) / (k + 1))
    local gap = bucket - sb - 1
    if gap == 0 then e = folded else e = math.floor(folded * decay(n, gap)) end
    b, c, w = bucket, 1, math.min(sw + 1 + gap, n)
  else
    b, c, e, w = sb, sc + 1, se, sw
  end
  redis.call("HSET", KEYS[1], "b", int(b), "c", int(c), "e", int(e), "w", int(w))
  redis.call("PEXPIRE", KEYS[1], ARGV[9])
  local threshold = math.max(minReq, math.floor(factor * e / 1000000) + 1)
  if c >= threshold and claim(KEYS[5], ARGV[10], ARGV[11]) then fire(0, c, e, threshold) end
end

if ARGV[12] == "1" then
  if ARGV[2] == "d" then redis.call("HINCRBY", KEYS[2], "t", 1) end
  if ARGV[2] == "o" or ARGV[13] == "1" then redis.call("HINCRBY", KEYS[2], "b", 1) end
  redis.call("PEXPIRE", KEYS[2], ARGV[16])
  local p = redis.call("HMGET", KEYS[2], "t", "b")
  local total, bad = tonumber(p[1]) or 0, tonumber(p[2]) or 0
  if total >= tonumber(ARGV[14]) and bad * 1000 >= tonumber(ARGV[15]) * total and claim(KEYS[6], ARGV[17], ARGV[18]) then
    fire(1, total, bad, math.floor(bad * 1000 / total))
  end
end

local function distinct(rule, key, at, cooldownKey)
  local cap = tonumber(ARGV[at + 2])
  -- SADD answers how many members it added, so the size needs no second SCARD.
  local size = redis.call("SCARD", key)
  if size < cap then size = size + redis.call("SADD", key, ARGV[at + 1]) end
  redis.call("PEXPIRE", key, ARGV[at + 3])
  if size >= cap and claim(cooldownKey, ARGV[at + 4], ARGV[at + 5]) then fire(rule, size, 0, 0) end
end
if ARGV[19] == "1" then distinct(2, KEYS[3], 19, KEYS[7]) end
if ARGV[25] == "1" then distinct(3, KEYS[4], 25, KEYS[8]) end
return out
`;
