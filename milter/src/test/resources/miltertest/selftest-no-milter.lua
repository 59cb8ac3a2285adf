-- Fixture self-test: nothing listens on `port`, so this must fail and print why (via lib.lua).
dofile(scripts .. "/lib.lua")
connect_and_negotiate()
mt.echo("selftest-no-milter: unexpectedly connected")
