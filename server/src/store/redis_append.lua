-- Appends sealed events to a room's record if the record still ends at the expected seq, and
-- publishes each of them, all in one atomic step: the order of publishes is the order of the
-- record, and two appends racing on one room cannot both succeed.
--
-- KEYS[1] the room's stream, KEYS[2] the room's head hash, KEYS[3] the room's texts hash
-- ARGV[1] expected seq, ARGV[2] the room's channel, ARGV[3] the publish command ('PUBLISH' on
-- one server, 'SPUBLISH' on a cluster: the channel shares the room's hash tag, so it is
-- published by the master that holds the record, to the subscribers of that master),
-- then per event five values: seq, prev hash (hex), hash (hex), canonical JSON, and the
-- event's committed texts as a JSON array of {commitment, statement, salt, text} ('' when none),
-- stored in the texts hash under their commitment and published after the event, on a line of
-- their own.
-- Returns {1, new head seq} on success, {0, actual head seq} on conflict.
local head = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if head ~= tonumber(ARGV[1]) then
  return {0, head}
end
local last_seq, last_hash
for i = 4, #ARGV, 5 do
  local seq, prev, hash, event, texts = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  redis.call('XADD', KEYS[1], seq .. '-0', 'e', event, 'p', prev, 'h', hash)
  if texts ~= '' then
    for _, opening in ipairs(cjson.decode(texts)) do
      redis.call('HSET', KEYS[3], opening['commitment'], cjson.encode(opening))
    end
  end
  last_seq, last_hash = seq, hash
end
redis.call('HSET', KEYS[2], 'seq', last_seq, 'hash', last_hash)
for i = 4, #ARGV, 5 do
  local message = ARGV[i + 1] .. ' ' .. ARGV[i + 2] .. ' ' .. ARGV[i + 3]
  if ARGV[i + 4] ~= '' then
    message = message .. '\n' .. ARGV[i + 4]
  end
  redis.call(ARGV[3], ARGV[2], message)
end
return {1, tonumber(last_seq)}
