-- wrk script for bench/load.py: each thread is one signed-in person (one connection)
-- looping search -> reason -> child page. Args: sessions file, picks file.
-- sessions: one "cookie<TAB>csrf token" per line; picks: "id<TAB>family<TAB>d<TAB>m<TAB>y".
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    local fields = {}
    for field in string.gmatch(line, "[^\t]+") do table.insert(fields, field) end
    table.insert(out, fields)
  end
  return out
end

function init(args)
  local sessions = lines(args[1])
  picks = lines(args[2])
  local mine = sessions[(number - 1) % #sessions + 1]
  post_headers = {["Cookie"] = mine[1], ["X-CSRFToken"] = mine[2],
                  ["Content-Type"] = "application/x-www-form-urlencoded"}
  get_headers = {["Cookie"] = mine[1]}
  -- the search as the page's live search sends it (htmx): the results fragment comes back
  search_headers = {["Cookie"] = mine[1], ["X-CSRFToken"] = mine[2], ["HX-Request"] = "true",
                    ["Content-Type"] = "application/x-www-form-urlencoded"}
  step, i, location = 0, number, nil
  pages, errors = 0, 0
end

function request()
  local p = picks[i % #picks + 1]
  if step == 0 then
    return wrk.format("POST", "/search", search_headers,
      "family_name=" .. p[2] .. "&date_of_birth=" .. p[3] .. "&date_of_birth=" .. p[4] ..
      "&date_of_birth=" .. p[5])
  elseif step == 1 then
    return wrk.format("POST", "/children/" .. p[1] .. "/reason?page=record", post_headers,
      "category=coordinating")
  end
  return wrk.format("GET", location, get_headers)
end

function response(status, headers, body)
  if step == 0 then
    if status ~= 200 then errors = errors + 1 end
    step = 1
  elseif step == 1 then
    location = headers["Location"]
    if status ~= 302 or location == nil then errors = errors + 1; step = 0; i = i + 1 else step = 2 end
  else
    if status == 200 then pages = pages + 1 else errors = errors + 1 end
    step = 0
    i = i + 1
  end
end

function done(summary, latency, requests)
  local total_pages, total_errors = 0, 0
  for _, thread in ipairs(threads) do
    total_pages = total_pages + thread:get("pages")
    total_errors = total_errors + thread:get("errors")
  end
  io.write(string.format("PAGES %d\nERRORS %d\n", total_pages, total_errors))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("P%d %.3f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("REQUESTS %d\nSECONDS %.3f\n", summary.requests,
                         summary.duration / 1000000))
end
