// Puts an anomaly response on one caller, in the sanction hash the limiter script reads
// (limiter-lua.ts). It repeats imposeSanction in src/core/limit/sanction.ts on the limiter's grid
// of 1/1024 ms with Redis TIME, so "blocked for 15 minutes" means the same instant to every
// replica. A later response never shortens a block or raises a lowered factor.
//
// KEYS: the caller's sanction key. ARGV: kind ("block" | "lower"), period (steps), factor ‰.
// Hash fields: b (blocked until), f (factor ‰), u (factor until), all in steps.
// Reply: {now, blocked until, factor ‰, factor until}.

export const SANCTION_LUA = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1024000 + math.floor(tonumber(t[2]) * 128 / 125)
local kind, period, wanted = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call("HMGET", KEYS[1], "b", "f", "u")
local b, f, u = tonumber(v[1]) or 0, tonumber(v[2]) or 1000, tonumber(v[3]) or 0
if u <= now then f = 1000 end
local ends = now + period
if kind == "block" then
  if ends > b then b = ends end
else
  if wanted < f then f = wanted end
  if ends > u then u = ends end
end
local function int(x) return string.format("%.0f", x) end
redis.call("HSET", KEYS[1], "b", int(b), "f", int(f), "u", int(u))
local keep = b
if u > keep then keep = u end
redis.call("PEXPIRE", KEYS[1], int(math.floor((keep - now) / 1024) + 1))
return {now, b, f, u}
`;
