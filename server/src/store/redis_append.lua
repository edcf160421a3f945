-- Appends sealed events to a room's record if the record still ends at the expected seq, and
-- publishes each of them, all in one atomic step: the order of publishes is the order of the
-- record, and two appends racing on one room cannot both succeed.
--
-- KEYS[1] the room's stream, KEYS[2] the room's head hash
-- ARGV[1] expected seq, ARGV[2] the room's channel, ARGV[3] the publish command ('PUBLISH' on
-- one server, 'SPUBLISH' on a cluster: the channel shares the room's hash tag, so it is
-- published by the master that holds the record, to the subscribers of that master),
-- then per event four values: seq, prev hash (hex), hash (hex), canonical JSON.
-- Returns {1, new head seq} on success, {0, actual head seq} on conflict.
local head = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if head ~= tonumber(ARGV[1]) then
  return {0, head}
end
local last_seq, last_hash
for i = 4, #ARGV, 4 do
  local seq, prev, hash, event = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  redis.call('XADD', KEYS[1], seq .. '-0', 'e', event, 'p', prev, 'h', hash)
  last_seq, last_hash = seq, hash
end
redis.call('HSET', KEYS[2], 'seq', last_seq, 'hash', last_hash)
for i = 4, #ARGV, 4 do
  redis.call(ARGV[3], ARGV[2], ARGV[i + 1] .. ' ' .. ARGV[i + 2] .. ' ' .. ARGV[i + 3])
end
return {1, tonumber(last_seq)}
