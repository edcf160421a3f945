// A plain broadcast server on the Node.js `ws` library: every text message from any client is
// sent to every connected client. Prints "ws peer listening on 127.0.0.1:PORT".
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(process.env.PORT ?? 0), backlog: 4096 });

wss.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => {
    for (const client of wss.clients) {
      if (client.readyState === 1) client.send(data, { binary: isBinary });
    }
  });
});

wss.on("listening", () => {
  const { address, port } = wss.address();
  console.log(`ws peer listening on ${address}:${port}`);
});
