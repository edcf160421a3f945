-- Removes every committed text of one statement from a room's texts hash (a redaction).
-- KEYS[1] the room's texts hash; ARGV[1] the statement id. Returns how many were removed.
local removed = 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local opening = cjson.decode(entries[i + 1])
  if tostring(opening['statement']) == ARGV[1] then
    redis.call('HDEL', KEYS[1], entries[i])
    removed = removed + 1
  end
end
return removed
