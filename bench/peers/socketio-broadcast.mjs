// socket.io with the Redis adapter (so several processes could share rooms, like Baraza on
// Redis): on a "msg" event from any client, io.emit it to everyone. WebSocket transport only.
// Prints "socket.io peer listening on 127.0.0.1:PORT". Needs REDIS_URL.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const pub = createClient({ url: process.env.REDIS_URL });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, {
  transports: ["websocket"],
  adapter: createAdapter(pub, sub),
  // Runs are short; keep heartbeats out of the measurement (clients still answer pings).
  pingInterval: 120000,
  pingTimeout: 60000,
});

io.on("connection", (socket) => {
  socket.on("msg", (text) => io.emit("msg", text));
});

http.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 0), backlog: 4096 }, () => {
  const { address, port } = http.address();
  console.log(`socket.io peer listening on ${address}:${port}`);
});
