/**
 * The WebSocket connection to a Baraza node (protocol `baraza.v1`).
 *
 * - authenticates with the token as the first message;
 * - joins rooms, and after every reconnect resumes each one with `since` = the last seq seen;
 * - reconnects by itself with exponential backoff and jitter, and waits for the browser to be
 *   online again before trying;
 * - sends an app-level `ping` and treats a missing `pong` as a dead connection;
 * - keeps an outbox of commands, each with an idempotency key, re-sent after a reconnect until
 *   acknowledged: nothing is lost, and the server's key check means nothing is doubled.
 *
 * It emits `state` (detail: {state, code?}), `welcome`, `snapshot`, `event`, `joined`,
 * `join-error`, `outbox` (the number of unacknowledged commands changed) and `fatal`
 * (detail: {code}) events.
 */

/** Connection states, as shown by the indicator. */
export const STATES = ['connecting', 'online', 'reconnecting', 'offline', 'closed'];

const PING_EVERY_MS = 15000;
const PONG_TIMEOUT_MS = 10000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15000;
/** Close codes after which reconnecting with the same token is pointless. */
const FATAL_CLOSE = new Set([4001, 4003, 4010]);

/**
 * A self-healing connection.
 */
export class Connection extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.url `ws://host/ws`
   * @param {string} options.token the bearer token
   * @param {(room: string) => (number|null)} options.lastSeq the last seq the client holds of a room
   */
  constructor({ url, token, lastSeq }) {
    super();
    this.url = url;
    this.token = token;
    this.lastSeq = lastSeq;
    /** @type {string} */
    this.state = 'closed';
    /** @type {WebSocket|null} */
    this.socket = null;
    this.user = null;
    this.limits = null;
    this.authError = null;
    this.attempt = 0;
    this.nextId = 1;
    this.stopped = true;
    /** Rooms the user wants to be in, and whether the current socket has joined them. */
    this.rooms = new Map();
    /** Outbox: idempotency key → {room, command, resolve, reject, sentAs}. */
    this.outbox = new Map();
    /** Request id → handler of its `ack` or `error`. */
    this.pending = new Map();
    this.timers = { retry: 0, ping: 0, pong: 0 };
    this.onOnline = () => { if (!this.stopped && !this.socket) this.connectNow(); };
    this.onOffline = () => { if (this.socket) this.drop('offline'); else this.setState('offline'); };
  }

  /** Opens the connection and keeps it open until `stop()`. */
  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.connectNow();
  }

  /** Closes the connection for good (signing out). */
  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.clearTimers();
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000);
    }
    for (const entry of this.outbox.values()) entry.reject(new ProtocolError('closed', 'signed out'));
    this.outbox.clear();
    this.pending.clear();
    this.setState('closed');
  }

  /**
   * Joins a room now and after every reconnect.
   * @param {string} room
   */
  join(room) {
    if (this.rooms.has(room)) return;
    this.rooms.set(room, { joined: false });
    if (this.state === 'online') this.sendJoin(room);
  }

  /**
   * Leaves a room.
   * @param {string} room
   */
  leave(room) {
    this.rooms.delete(room);
    if (this.state === 'online') this.request({ type: 'leave', room }, () => {});
  }

  /**
   * Sends a command to a joined room; resolves with the ack once the server has recorded it,
   * however many reconnects that takes.
   * @param {string} room
   * @param {object} command e.g. `{type: 'post_statement', text, lang}`
   * @returns {Promise<{seq: number, duplicate?: boolean}>}
   */
  command(room, command) {
    const key = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      this.outbox.set(key, { room, command, resolve, reject, sentAs: null });
      this.outboxChanged();
      const joined = this.rooms.get(room)?.joined;
      if (this.state === 'online' && joined) this.sendCommand(key);
    });
  }

  /** @returns {number} commands not yet acknowledged */
  queued() {
    return this.outbox.size;
  }

  // ---- internals ----

  connectNow() {
    clearTimeout(this.timers.retry);
    if (this.stopped || this.socket) return;
    if (navigator.onLine === false) {
      this.setState('offline');
      return;
    }
    this.setState(this.attempt === 0 && !this.user ? 'connecting' : 'reconnecting');
    let socket;
    try {
      socket = new WebSocket(this.url, 'baraza.v1');
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      this.request({ type: 'auth', token: this.token }, (msg) => this.onAuth(msg));
    });
    socket.addEventListener('message', (e) => {
      if (this.socket !== socket) return;
      this.onFrame(e.data);
    });
    socket.addEventListener('close', (e) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.afterClose(e.code);
    });
  }

  /** Drops the current socket (no pong, or the browser went offline) and plans a reconnect. */
  drop(reason) {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(4000, reason);
    this.afterClose(reason === 'offline' ? 'offline' : 4002);
  }

  afterClose(code) {
    this.clearTimers();
    this.pending.clear();
    for (const room of this.rooms.values()) room.joined = false;
    for (const entry of this.outbox.values()) entry.sentAs = null;
    if (this.stopped) return;
    if (FATAL_CLOSE.has(code)) {
      this.stopped = true;
      this.setState('closed', code);
      this.dispatchEvent(new CustomEvent('fatal', { detail: { code: this.authError || code, message: this.accessEnded } }));
      return;
    }
    if (code === 'offline' || navigator.onLine === false) {
      this.setState('offline');
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    this.setState('reconnecting');
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt += 1;
    // Full jitter: many clients dropped by one outage do not come back in one wave.
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.timers.retry = setTimeout(() => this.connectNow(), delay);
  }

  onAuth(msg) {
    if (msg.type !== 'welcome') {
      // A refused token: the server closes with 4001 next; `fatal` then carries this code.
      this.authError = msg.code;
      return;
    }
    this.attempt = 0;
    this.user = msg.user;
    this.limits = msg.limits;
    this.setState('online');
    this.dispatchEvent(new CustomEvent('welcome', { detail: msg }));
    for (const room of this.rooms.keys()) this.sendJoin(room);
    this.schedulePing();
  }

  sendJoin(room) {
    const since = this.lastSeq(room);
    const message = { type: 'join', room };
    if (since !== null && since !== undefined) message.since = since;
    this.request(message, (msg) => {
      const entry = this.rooms.get(room);
      if (!entry) return;
      if (msg.type === 'ack') {
        entry.joined = true;
        this.dispatchEvent(new CustomEvent('joined', { detail: { room, seq: msg.seq } }));
        for (const [key, item] of this.outbox) if (item.room === room && !item.sentAs) this.sendCommand(key);
      } else {
        this.dispatchEvent(new CustomEvent('join-error', { detail: { room, code: msg.code, message: msg.message } }));
      }
    });
  }

  sendCommand(key) {
    const item = this.outbox.get(key);
    if (!item || !this.socket) return;
    item.sentAs = this.request({ type: 'command', room: item.room, key, command: item.command }, (msg) => {
      if (msg.type === 'ack') {
        this.outbox.delete(key);
        this.outboxChanged();
        item.resolve(msg);
      } else if (msg.code === 'rate_limited' || msg.code === 'unavailable') {
        item.sentAs = null;
        setTimeout(() => { if (this.outbox.has(key) && this.state === 'online') this.sendCommand(key); }, msg.retry_after_ms || 500);
      } else if (msg.code === 'not_joined') {
        item.sentAs = null; // re-sent after the next join
      } else {
        this.outbox.delete(key);
        this.outboxChanged();
        item.reject(new ProtocolError(msg.code, msg.message));
      }
    });
  }

  /** Sends a request with a fresh id; `onAnswer` gets its ack, error, welcome or pong. */
  request(message, onAnswer) {
    const id = `r${this.nextId++}`;
    this.pending.set(id, onAnswer);
    this.socket?.send(JSON.stringify({ ...message, id }));
    return id;
  }

  schedulePing() {
    clearTimeout(this.timers.ping);
    this.timers.ping = setTimeout(() => {
      if (!this.socket || this.state !== 'online') return;
      this.timers.pong = setTimeout(() => this.drop('no pong'), PONG_TIMEOUT_MS);
      this.request({ type: 'ping' }, () => {
        clearTimeout(this.timers.pong);
        this.schedulePing();
      });
    }, PING_EVERY_MS);
  }

  onFrame(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg.type === 'event' || msg.type === 'snapshot' || msg.type === 'view') {
      this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
      return;
    }
    if (msg.id && this.pending.has(msg.id)) {
      const handler = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      handler(msg);
      return;
    }
    if (msg.type === 'error' && msg.code === 'token_expired') {
      this.dispatchEvent(new CustomEvent('fatal', { detail: { code: msg.code } }));
    }
    if (msg.type === 'error' && msg.code === 'access_ended') {
      // The registry ended this person's access; the server closes with 4010 next, and
      // `fatal` then carries the code and the registry's reason.
      this.authError = msg.code;
      this.accessEnded = msg.message;
    }
  }

  outboxChanged() {
    this.dispatchEvent(new CustomEvent('outbox', { detail: { size: this.outbox.size } }));
  }

  setState(state, code) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, code } }));
  }

  clearTimers() {
    clearTimeout(this.timers.retry);
    clearTimeout(this.timers.ping);
    clearTimeout(this.timers.pong);
  }
}

/** A refusal by the server, with its protocol error code. */
export class ProtocolError extends Error {
  /**
   * @param {string} code protocol error code
   * @param {string} message the server's message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
