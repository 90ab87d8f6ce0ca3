import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { State } from '@beacon/client';
import {
  addMember,
  DemoError,
  fromDelivery,
  loadHistory,
  membersFrom,
  merge,
  removeMember,
  signIn,
  type ChatMessage,
  type Identity,
  type Member,
  type Session,
} from './chat.js';

const PALETTE = ['#e5484d', '#f76b15', '#d6a300', '#30a46c', '#12a594', '#0090ff', '#6e56cf', '#d6409f'];
const ROOM_BLURB: Record<string, string> = {
  general: 'Everyone, everything',
  random: 'Off-topic and fun',
  help: 'Questions about Beacon',
};

function randomColour(): string {
  return PALETTE[Math.floor(Math.random() * PALETTE.length)]!;
}

export function App() {
  const [session, setSession] = useState<{ s: Session; me: Identity } | null>(null);
  if (session === null) return <SignIn onSignedIn={(s, me) => setSession({ s, me })} />;
  return <Chat session={session.s} me={session.me} />;
}

function SignIn({ onSignedIn }: { onSignedIn: (s: Session, me: Identity) => void }) {
  const [name, setName] = useState('');
  const [colour, setColour] = useState(randomColour);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = { name: name.trim(), colour };
      onSignedIn(await signIn(me), me);
    } catch (err) {
      setError(err instanceof DemoError ? err.message : 'could not reach Beacon');
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="card" onSubmit={(e) => void submit(e)} aria-label="Join the chat">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          Beacon chat
        </div>
        <p className="muted">
          A demo of <code>@beacon/client</code>: rooms over WebSocket, presence, history and recovery after a
          dropped connection. Open it in two tabs.
        </p>
        <label htmlFor="name">Your name</label>
        <input
          id="name"
          autoFocus
          maxLength={24}
          placeholder="e.g. Ada"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <span className="label">Colour</span>
        <div className="swatches" role="radiogroup" aria-label="Colour">
          {PALETTE.map((c) => (
            <button
              key={c}
              type="button"
              role="radio"
              aria-checked={c === colour}
              aria-label={c}
              className={c === colour ? 'swatch on' : 'swatch'}
              style={{ background: c }}
              onClick={() => setColour(c)}
            />
          ))}
        </div>
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy || name.trim() === ''}>
          {busy ? 'Joining…' : 'Join the chat'}
        </button>
      </form>
    </main>
  );
}

function Chat({ session, me }: { session: Session; me: Identity }) {
  const [room, setRoom] = useState(session.rooms[0]!);
  const [state, setState] = useState<State>(session.beacon.state);
  const [online, setOnline] = useState(() => navigator.onLine);
  const [wasConnected, setWasConnected] = useState(session.beacon.state === 'connected');
  useEffect(() => {
    const off = session.beacon.on('state', (s) => {
      setState(s);
      if (s === 'connected') setWasConnected(true);
    });
    // The browser knows at once when the network is gone, long before a heartbeat would tell: drop the
    // connection then, and reconnect when it is back (subscriptions and their positions are kept, so the
    // SDK resubscribes with `since` and replays what was missed).
    const offline = () => {
      setOnline(false);
      session.beacon.close();
    };
    const online = () => {
      setOnline(true);
      session.beacon.connect();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      off();
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  }, [session]);

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          Beacon chat
        </div>
        <nav aria-label="Rooms">
          <div className="section">Rooms</div>
          {session.rooms.map((r) => (
            <button
              key={r}
              className={r === room ? 'room on' : 'room'}
              aria-current={r === room ? 'page' : undefined}
              onClick={() => setRoom(r)}
            >
              <span className="hash">#</span>
              <span>
                <span className="room-name">{r}</span>
                <span className="room-blurb">{ROOM_BLURB[r] ?? ''}</span>
              </span>
            </button>
          ))}
        </nav>
        <div className="me">
          <Avatar name={me.name} colour={me.colour} />
          <div>
            <div className="me-name">{me.name}</div>
            <div
              className={`status ${online ? state : 'offline'}`}
              data-testid="state"
              data-state={state}
              role="status"
            >
              <span className="dot" aria-hidden="true" />
              <span>{statusText(state, online, wasConnected)}</span>
            </div>
          </div>
        </div>
      </aside>
      <Room key={room} room={room} session={session} me={me} state={state} online={online} />
    </div>
  );
}

/** The status line under the user's name, in words a person reads at a glance. */
function statusText(state: State, online: boolean, wasConnected: boolean): string {
  if (!online) return 'Offline — reconnecting when the network is back';
  if (state === 'connected') return 'Connected';
  if (state === 'connecting') return wasConnected ? 'Connection lost — reconnecting…' : 'Connecting…';
  return 'Disconnected — reload the page to rejoin';
}

function Room({
  room,
  session,
  me,
  state,
  online,
}: {
  room: string;
  session: Session;
  me: Identity;
  state: State;
  online: boolean;
}) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [members, setMembers] = useState<Map<string, Member>>(new Map());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    let live = true;
    const reload = async () => {
      try {
        const history = await loadHistory(room);
        if (live) setMessages((m) => merge(m, history));
      } catch (err) {
        if (live) setError(err instanceof Error ? err.message : String(err));
      } finally {
        if (live) setLoading(false);
      }
    };
    const refreshMembers = async () => {
      try {
        const list = await sub.presence();
        if (live) setMembers(membersFrom(list));
      } catch {
        // the next subscribe refreshes it
      }
    };
    const sub = session.beacon.subscribe(`chat/${room}`, {
      message: (m) => {
        const msg = fromDelivery(m);
        if (msg !== null) setMessages((all) => merge(all, [msg]));
      },
      subscribed: ({ resubscribed, recovered }) => {
        // first time: the last messages; after a reconnect the SDK replayed what was missed, unless it says not
        if (!resubscribed) void reload();
        else if (recovered === false) {
          setMessages([]);
          void reload();
        }
        void refreshMembers();
      },
      error: (err) => setError(err.message),
      join: (m) => setMembers((all) => new Map(addMember(all, m))),
      leave: (m) => setMembers((all) => new Map(removeMember(all, m))),
    });
    return () => {
      live = false;
      sub.unsubscribe();
    };
  }, [room, session]);

  useEffect(() => {
    const el = list.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (body === '') return;
    setText('');
    try {
      await session.beacon.publish(`chat/${room}`, { text: body, name: me.name, colour: me.colour });
    } catch (err) {
      setError(`not sent: ${err instanceof Error ? err.message : String(err)}`);
      setText(body);
    }
  };

  const sorted = [...members.values()].sort((a, b) => a.name.localeCompare(b.name));
  // Presence is only known while connected: offline or reconnecting, the list is the last one seen, shown
  // as such (no online dots) until the resubscribe refreshes it.
  const live = state === 'connected';
  return (
    <>
      <section className="main" aria-label={`#${room}`}>
        <header className="room-header">
          <h1>
            <span className="hash">#</span>
            {room}
          </h1>
          <span className="muted">{ROOM_BLURB[room]}</span>
          <span className="count" data-testid="online-count">
            {live ? `${sorted.length} online` : 'presence paused'}
          </span>
        </header>
        {state !== 'connected' && (
          <div className="banner" role="status" data-testid="reconnecting">
            <span className="spinner" aria-hidden="true" />
            {online
              ? 'Reconnecting… messages sent meanwhile will appear when the connection is back.'
              : 'You are offline. Messages sent meanwhile will appear when the network is back.'}
          </div>
        )}
        {error !== null && (
          <div className="banner error" role="alert">
            {error}
            <button className="link" onClick={() => setError(null)}>
              dismiss
            </button>
          </div>
        )}
        <ol className="messages" ref={list} data-testid="messages">
          {loading ? (
            <li className="empty">Loading the last messages…</li>
          ) : messages.length === 0 ? (
            <li className="empty">
              <strong>No messages in #{room} yet.</strong>
              <span>Say hello: everyone in the room sees it at once.</span>
            </li>
          ) : (
            messages.map((m, i) => {
              const prev = messages[i - 1];
              const grouped =
                prev !== undefined && prev.data.name === m.data.name && m.ts - prev.ts < 120_000;
              return (
                <li key={m.key} className={grouped ? 'msg grouped' : 'msg'} data-testid="message">
                  {grouped ? (
                    <span className="gutter" />
                  ) : (
                    <Avatar name={m.data.name} colour={m.data.colour} />
                  )}
                  <div className="body">
                    {!grouped && (
                      <div className="meta">
                        <span className="author" style={{ color: m.data.colour }}>
                          {m.data.name}
                        </span>
                        <time dateTime={new Date(m.ts).toISOString()}>{timeOf(m.ts)}</time>
                      </div>
                    )}
                    <div className="text" data-testid="text">
                      {m.data.text}
                    </div>
                  </div>
                </li>
              );
            })
          )}
        </ol>
        <form className="composer" onSubmit={(e) => void send(e)}>
          <input
            aria-label="Message"
            placeholder={
              session.clientPublish ? `Message #${room}` : 'This app does not allow client publish'
            }
            maxLength={500}
            value={text}
            disabled={!session.clientPublish}
            onChange={(e) => setText(e.target.value)}
          />
          <button className="primary" type="submit" disabled={text.trim() === '' || state !== 'connected'}>
            Send
          </button>
        </form>
      </section>
      <aside className={live ? 'members' : 'members stale'} aria-label="Members">
        <div className="section">
          Members — {sorted.length}
          {!live && <span className="stale-note"> · last seen</span>}
        </div>
        {sorted.length === 0 ? (
          <p className="muted small">Nobody here yet.</p>
        ) : (
          <ul data-testid="members" data-stale={live ? undefined : 'true'}>
            {sorted.map((m) => (
              <li key={m.userId} data-testid="member">
                <Avatar name={m.name} colour={m.colour} small online={live} />
                <span className="member-name" data-testid="member-name">
                  {m.name}
                </span>
                {m.userId === session.userId && <span className="you">you</span>}
              </li>
            ))}
          </ul>
        )}
      </aside>
    </>
  );
}

function Avatar({
  name,
  colour,
  small,
  online,
}: {
  name: string;
  colour: string;
  small?: boolean;
  online?: boolean;
}) {
  return (
    <span
      className={small === true ? 'avatar small' : 'avatar'}
      style={{ background: colour }}
      aria-hidden="true"
    >
      {name.slice(0, 1).toUpperCase()}
      {online === true && <span className="online" />}
    </span>
  );
}

function timeOf(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}
