-- Shared helpers for miltertest scripts: dofile(scripts .. "/lib.lua") at the top of a script.
-- Miltertest.java defines the globals socket ("inet:PORT@127.0.0.1" or "local:/path"), scripts and, for a port, port.
-- miltertest swallows the text of error(), so failures are printed and end in os.exit(1).

function fail(msg)
  io.stderr:write("FAIL: " .. msg .. "\n")
  io.stderr:flush()
  os.exit(1)
end

function check(cond, msg)
  if not cond then fail(msg) end
end

-- mt.* functions raise Lua errors (a refused connect, a step the milter opted out of), and
-- miltertest would exit 1 without a word: wrap each so its error is printed first.
for name, fn in pairs(mt) do
  if type(fn) == "function" then
    mt[name] = function(...)
      local results = table.pack(pcall(fn, ...))
      if not results[1] then
        local msg = tostring(results[2])
        fail(msg:find("mt." .. name, 1, true) and msg or ("mt." .. name .. "(): " .. msg))
      end
      return table.unpack(results, 2, results.n)
    end
  end
end

-- Names for the SMFIR_* replies getreply() returns, so a failure says what actually came back.
local reply_names = {}
for _, name in ipairs({"SMFIR_ACCEPT", "SMFIR_CONTINUE", "SMFIR_DISCARD", "SMFIR_REJECT",
                       "SMFIR_TEMPFAIL", "SMFIR_REPLYCODE", "SMFIR_SKIP"}) do
  if _G[name] ~= nil then reply_names[_G[name]] = name end
end

function reply_name(r)
  return reply_names[r] or tostring(r)
end

-- Reads the milter's reply to the last command and fails unless it is `expected`.
function expect_reply(conn, expected, step)
  local got = mt.getreply(conn)
  if got ~= expected then
    fail(step .. ": expected " .. reply_name(expected) .. ", got " .. reply_name(got))
  end
end

-- Connects to the milter under test (retrying while it starts; -D connect_tries=N, 0.25 s apart,
-- default 40) and negotiates libmilter's defaults (protocol 6, all actions, all steps).
function connect_and_negotiate()
  local conn = mt.connect(socket, tonumber(connect_tries or 40), 0.25)
  check(conn ~= nil, "mt.connect(" .. socket .. ") failed")
  check(mt.negotiate(conn, nil, nil, nil) == nil, "negotiate failed")
  return conn
end
