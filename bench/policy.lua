-- The benchmark's policy in Lua 5.4 with lua-cjson, hand-written.
--   lua5.4 policy.lua FILE.jsonl                  "<recovery> <economic>" per line
--   lua5.4 policy.lua FILE.jsonl --eval-only [K]  decode K sheets (default
--     100000) first, untimed, then time only the decisions (CPU time, at
--     least one second or three passes) and print RESULT eval=NS evals=N
local cjson = require("cjson")
local decode = cjson.decode

local HARM = { none = 0, minor_injury = 1, serious_injury = 2, death = 3 }

local function decide(f)
  local harm = HARM[f.harm_life or "none"]
  local remote = f.remote_control == true
  local act = f.actuation or "none"
  local usage = f.usage
  local rec
  if harm >= 2 or ((usage == "hospital" or usage == "vehicle") and remote)
      or (act == "hazardous" and remote) then
    rec = "fatal"
  elseif harm == 1 or f.data_sensitivity == "sensitive" or act == "access"
      or act == "hazardous" then
    rec = "serious"
  else
    rec = "limited"
  end
  local loss, users = f.loss_jpy or 0, f.users_affected or 0
  local eco
  if loss >= 10000000000 or users >= 1000000 then
    eco = "catastrophic"
  elseif loss >= 100000000 or users >= 10000 then
    eco = "significant"
  else
    eco = "limited"
  end
  return rec .. " " .. eco
end

local file = arg[1]
if arg[2] == "--eval-only" then
  local k = tonumber(arg[3]) or 100000
  local facts, n = {}, 0
  for line in io.lines(file) do
    n = n + 1
    facts[n] = decode(line).facts
    if n >= k then break end
  end
  local sink = 0
  for i = 1, math.min(n, 5000) do sink = sink + #decide(facts[i]) end
  local t0, evals, elapsed = os.clock(), 0, 0
  for _ = 1, 3 do
    for i = 1, n do
      sink = sink + #decide(facts[i])
      evals = evals + 1
    end
    elapsed = os.clock() - t0
    if elapsed >= 1 then break end
  end
  print(string.format("RESULT eval=%.1f evals=%d sink=%d", elapsed * 1e9 / evals, evals, sink % 2))
  return
end

local out, n = {}, 0
local write = io.write
for line in io.lines(file) do
  n = n + 1
  out[n] = decide(decode(line).facts)
  if n == 65536 then
    write(table.concat(out, "\n", 1, n), "\n")
    n = 0
  end
end
if n > 0 then write(table.concat(out, "\n", 1, n), "\n") end
