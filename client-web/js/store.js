/**
 * The state of one room as this client knows it: a snapshot, then events applied strictly in
 * `seq` order. Events at or below the last seq are ignored (a resume never doubles anything);
 * an event after a gap is refused so the caller can fetch a fresh snapshot.
 */

/**
 * One room's state.
 */
export class RoomStore extends EventTarget {
  /**
   * @param {string} id room id
   * @param {boolean} moderating whether the reader moderates (sees hidden statements' text)
   */
  constructor(id, moderating) {
    super();
    this.id = id;
    this.moderating = moderating;
    /** @type {number|null} last seq applied; null before the first snapshot */
    this.seq = null;
    this.info = null;
    /** @type {Map<string, {profile: object, present: boolean, joined_at: number}>} */
    this.members = new Map();
    /** @type {number} how many of the audience are present (counted, not listed: `audience_changed`) */
    this.audience = 0;
    /** @type {Map<string, object>} profiles of the audience, as digests name them (moderators only) */
    this.audienceProfiles = new Map();
    /** @type {Map<number, object>} statements by id */
    this.statements = new Map();
    /** @type {Map<string, string>} names of authors who took part by e-mail (never members) */
    this.mailNames = new Map();
    /** @type {object|null} `state.roundtable` of roundtable rooms (see view-sync.js) */
    this.roundtable = null;
    /** @type {number} the seq the roundtable part is as of */
    this.roundtableSeq = -1;
    /** @type {object|null} `state.consultation` of consultation rooms */
    this.consultation = null;
    /** @type {Array<object>} the consultation's statements as the server showed them to this reader */
    this.consultationStatements = [];
    /** @type {number} the seq the consultation part is as of */
    this.consultationSeq = -1;
    /** @type {number|null} estimate of (browser clock − server clock) in ms */
    this.clockOffset = null;
    /**
     * Requests a moderator removed while this page was open, newest last (the record keeps
     * them all): `{request, user, name, kind, reason, by, at}`.
     * @type {Array<object>}
     */
    this.removals = [];
  }

  /**
   * Replaces the state with a snapshot (`state` of a `snapshot` message or `GET /api/rooms/{id}`).
   * @param {number} seq
   * @param {object} state
   */
  applySnapshot(seq, state) {
    if (this.seq !== null && seq <= this.seq) return;
    this.seq = seq;
    this.info = state.info;
    this.members = new Map(state.members.map((m) => [m.profile.user, { ...m }]));
    this.audience = state.audience?.present ?? 0;
    this.statements = new Map(state.statements.map((s) => [s.id, { ...s }]));
    this.roundtable = normalizeRoundtable(state.roundtable);
    this.roundtableSeq = seq;
    this.consultation = state.consultation ?? null;
    this.consultationStatements = state.statements.map((x) => ({ ...x }));
    this.consultationSeq = seq;
    this.learnMailNames(state.statements);
    this.changed({ snapshot: true, posted: [] });
  }

  /**
   * Applies one event.
   * @param {{seq: number, ts: number, actor?: string, body: object}} event
   * @returns {'applied'|'old'|'gap'}
   */
  applyEvent(event) {
    if (this.seq === null) return 'gap';
    if (event.seq <= this.seq) return 'old';
    if (event.seq !== this.seq + 1) return 'gap';
    this.seq = event.seq;
    const body = event.body;
    const posted = [];
    switch (body.type) {
      case 'member_joined': {
        const known = this.members.get(body.member.user);
        if (known) Object.assign(known, { profile: body.member, present: true });
        else this.members.set(body.member.user, { profile: body.member, present: true, joined_at: event.ts });
        break;
      }
      case 'audience_changed': {
        this.audience = body.count;
        for (const profile of body.arrived ?? []) this.audienceProfiles.set(profile.user, profile);
        break;
      }
      case 'member_left': {
        const known = this.members.get(body.user);
        if (known) known.present = false;
        break;
      }
      case 'statement_posted': {
        const author = this.members.get(event.actor) ?? this.audienceOf(event.actor);
        // A joint statement has no actor (the server posts it for a caucus).
        const statement = { id: event.seq, author: event.actor ?? body.joint?.adopted_by, text: body.text ?? '', lang: body.lang, posted_at: event.ts };
        if (author?.profile.org) statement.org = author.profile.org;
        // By e-mail: the event names the sender's registry profile.
        if (body.by_mail) {
          statement.org = body.by_mail.org;
          statement.author_name = body.by_mail.name;
          statement.by_mail = true;
          this.mailNames.set(event.actor, body.by_mail.name);
        }
        for (const field of ['parent', 'agenda_item', 'question', 'alignment', 'held', 'joint']) if (body[field] !== undefined) statement[field] = body[field];
        this.statements.set(event.seq, statement);
        posted.push(statement);
        break;
      }
      case 'statement_hidden': {
        const statement = this.statements.get(body.statement);
        if (statement) {
          statement.hidden = { by: event.actor, reason: body.reason, at: event.ts };
          if (!this.moderating) {
            statement.text = '';
            statement.redacted = true;
          }
        }
        break;
      }
      case 'statement_redacted': {
        const statement = this.statements.get(body.statement);
        if (statement) Object.assign(statement, { text: '', redaction: { by: event.actor, reason: body.reason, at: event.ts } });
        break;
      }
      case 'room_updated':
        if (this.info) Object.assign(this.info, { title: body.title, description: body.description || '', languages: body.languages });
        break;
      case 'room_archived':
        if (this.info) this.info.archived_at = event.ts;
        break;
      default:
        // The roundtable's simple floor changes are applied here so clocks and announcements
        // react at once; the server's `view` message right after the event then replaces the
        // whole roundtable part (applyView).
        if (this.roundtable) {
          if (body.type === 'request_removed') this.noteRemoval(event);
          applyFloorEvent(this.roundtable, event);
          this.roundtableSeq = event.seq;
        }
        // Events of other protocols this client does not know (phases…) only move seq.
        break;
    }
    this.changed({ snapshot: false, posted, type: body.type });
    return 'applied';
  }

  /**
   * Keeps who was taken off the list, by whom and why, from the entry still shown.
   * @param {{ts: number, actor?: string, body: {request: number, reason: string}}} event
   */
  noteRemoval(event) {
    const entry = this.roundtable.agenda.flatMap((i) => i.speakers).find((s) => s.request === event.body.request);
    if (!entry) return;
    this.removals = [...this.removals, {
      request: entry.request, user: entry.user, name: entry.name, kind: entry.kind,
      reason: event.body.reason, by: event.actor, at: event.ts,
    }].slice(-5);
  }

  /**
   * Replaces the roundtable part with a fetched one, unless it is older than what is shown.
   * @param {number} seq the seq the view is as of
   * @param {object|null} roundtable
   * @returns {boolean} whether it was applied
   */
  applyRoundtable(seq, roundtable) {
    if (seq < this.roundtableSeq) return false;
    this.roundtableSeq = seq;
    this.roundtable = normalizeRoundtable(roundtable);
    this.changed({ snapshot: false, posted: [], roundtable: true });
    return true;
  }

  /**
   * Replaces the consultation part (and its statements) with a fetched view, unless older.
   * @param {number} seq the seq the view is as of
   * @param {{consultation: object, statements: Array<object>}} state
   * @returns {boolean} whether it was applied
   */
  applyConsultation(seq, state) {
    if (seq < this.consultationSeq) return false;
    this.consultationSeq = seq;
    this.consultation = state.consultation;
    this.consultationStatements = state.statements;
    this.learnMailNames(state.statements);
    this.changed({ snapshot: false, posted: [], consultation: true });
    return true;
  }

  /**
   * Applies a `view` message: the server-derived parts as this reader sees them as of its
   * `seq`, sent after the event that changed them (docs/protocol.md, "View messages"). The
   * roundtable and consultation parts are replaced whole; the listed statements replace (or
   * join, in id order) those of the consultation's list, and `removed` ones leave it.
   * @param {{seq: number, roundtable?: object, consultation?: object, statements?: Array<object>, removed?: Array<number>}} view
   */
  applyView(view) {
    if (view.roundtable) this.applyRoundtable(view.seq, view.roundtable);
    const statements = view.statements ?? [];
    const removed = view.removed ?? [];
    if (!view.consultation && !statements.length && !removed.length) return;
    if (view.seq < this.consultationSeq) return;
    this.consultationSeq = view.seq;
    if (view.consultation) this.consultation = view.consultation;
    const gone = new Set(removed);
    const list = this.consultationStatements.filter((s) => !gone.has(s.id));
    for (const statement of statements) {
      const at = list.findIndex((s) => s.id >= statement.id);
      if (at === -1) list.push(statement);
      else if (list[at].id === statement.id) list[at] = statement;
      else list.splice(at, 0, statement);
    }
    this.consultationStatements = list;
    this.learnMailNames(statements);
    this.changed({ snapshot: false, posted: [], consultation: true });
  }

  /**
   * Keeps the names of statements' authors who wrote by e-mail (`author_name`).
   * @param {Array<{author: string, author_name?: string}>} statements
   */
  learnMailNames(statements) {
    for (const s of statements) if (s.author_name) this.mailNames.set(s.author, s.author_name);
  }

  /**
   * Learns the clock offset from a live event's server time (the smallest delay seen wins).
   * @param {number} ts the event's server time
   */
  observeServerTime(ts) {
    const offset = Date.now() - ts;
    if (this.clockOffset === null || offset < this.clockOffset) this.clockOffset = offset;
  }

  /** @returns {number} the server's clock now, as well as this browser can tell */
  serverNow() {
    return Date.now() - (this.clockOffset ?? 0);
  }

  /** @returns {Array<object>} statements without a parent, in order */
  topLevel() {
    return [...this.statements.values()].filter((s) => s.parent === undefined || !this.statements.has(s.parent));
  }

  /**
   * @param {number} id a statement id
   * @returns {Array<object>} its direct replies, in order
   */
  replies(id) {
    return [...this.statements.values()].filter((s) => s.parent === id);
  }

  /**
   * A member of the audience as a digest named them (for readers who moderate), shaped as a member.
   * @param {string} user
   * @returns {{profile: object}|undefined}
   */
  audienceOf(user) {
    const profile = this.audienceProfiles.get(user);
    return profile ? { profile } : undefined;
  }

  /** @returns {Array<object>} members present now */
  present() {
    return [...this.members.values()].filter((m) => m.present);
  }

  /**
   * A member's display name.
   * @param {string} user
   * @returns {string}
   */
  nameOf(user) {
    return this.members.get(user)?.profile.name || this.audienceProfiles.get(user)?.name || this.mailNames.get(user) || user;
  }

  changed(detail) {
    this.dispatchEvent(new CustomEvent('change', { detail }));
  }
}

/**
 * Applies the floor events whose effect is plain (no ordering, no statistics) to a roundtable view.
 * @param {object} rt `state.roundtable`
 * @param {{seq: number, body: object}} event
 */
function applyFloorEvent(rt, event) {
  const body = event.body;
  const floor = rt.floor;
  const current = floor && (body.turn === undefined || body.turn === floor.turn);
  switch (body.type) {
    case 'agenda_item_opened': rt.open_item = body.item; break;
    case 'agenda_item_closed': if (rt.open_item === body.item) rt.open_item = null; break;
    case 'floor_granted':
      rt.floor = { turn: event.seq, user: body.speaker.user, deadline: body.deadline, paused: false, warned: false, time_up: false };
      rt.speakerProfile = body.speaker;
      for (const item of rt.agenda) item.speakers = item.speakers.filter((s) => s.request !== body.request);
      break;
    case 'floor_extended': if (current && body.deadline) Object.assign(floor, { deadline: body.deadline, time_up: false }); break;
    case 'floor_paused': if (current) Object.assign(floor, { paused: true, remaining_ms: body.remaining_ms }); break;
    case 'floor_resumed': if (current) Object.assign(floor, { paused: false, deadline: body.deadline }); break;
    case 'floor_warning': if (current) floor.warned = true; break;
    case 'floor_time_up': if (current) floor.time_up = true; break;
    case 'floor_ended': if (current) rt.floor = null; break;
    case 'request_withdrawn':
    case 'request_removed':
      for (const item of rt.agenda) item.speakers = item.speakers.filter((s) => s.request !== body.request);
      break;
    default: break;
  }
}

/**
 * Fills the fields the server leaves out when empty, so views need not guard each one.
 * @param {object|null|undefined} rt `state.roundtable`
 * @returns {object|null}
 */
function normalizeRoundtable(rt) {
  if (!rt) return null;
  rt.floor = rt.floor ?? null;
  rt.open_item = rt.open_item ?? null;
  for (const field of ['agenda', 'turns', 'muted', 'expelled']) rt[field] = rt[field] ?? [];
  for (const item of rt.agenda) {
    item.speakers = item.speakers ?? [];
    item.budgets = item.budgets ?? [];
  }
  for (const turn of rt.turns) turn.statements = turn.statements ?? [];
  return rt;
}
