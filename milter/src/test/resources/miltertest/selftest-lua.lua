-- Fixture self-test: runs without any milter. Proves -D globals arrive and lib.lua loads.
dofile(scripts .. "/lib.lua")
check(port ~= nil and tonumber(port) ~= nil, "global port missing")
check(socket == "inet:" .. port .. "@127.0.0.1", "global socket is " .. tostring(socket))
check(SMFIR_ACCEPT ~= nil and reply_name(SMFIR_ACCEPT) == "SMFIR_ACCEPT", "SMFIR_* constants missing")
mt.echo("selftest-lua: globals and lib.lua ok, port " .. port)
