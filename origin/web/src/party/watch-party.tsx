// Watching together (#15): the watch party panel over the player. A signed-in viewer opens a party
// from the video and sends its invitation link; friends who open the link join it. The host's play,
// pause and seeks lead; every member's player follows (party-sync.ts). Each member sees where the
// others look (view markers on the sphere) and a short chat. Events come on the party's own
// subscription (server-sent events), which the origin gives to members only.
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import {
  PARTY_LIMITS,
  realtimeEventSchema,
  type Party,
  type PartyChatMessage,
  type PartyMember,
  type PartyState,
  type RealtimeEvent,
} from '@spherecast/shared';
import type { SphereRenderer, ViewMarkerLayer } from '@spherecast/shared/renderer';
import type { AppRouter } from '@spherecast/origin/client';
import { api, errorMessage } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { PartyClock, PartyFollower, PartyHostReporter, type FollowStatus } from './party-sync.ts';
import './party.css';

/** View directions are sent at most this often (ms; the origin takes 5 a second)… */
const VIEW_SEND_MS = 250;
/** …when they moved by this much (degrees), and again this often anyway so late joiners see them. */
const VIEW_MIN_CHANGE = 0.5;
const VIEW_KEEPALIVE_MS = 5000;
/** A member's marker goes away when nothing was heard of it for this long (ms). */
const VIEW_STALE_MS = 20_000;
const CHAT_KEEP = 50;
const MARKER_COLORS = ['#ff6b6b', '#4dabf7', '#ffd43b', '#69db7c', '#da77f2', '#ffa94d', '#3bc9db', '#f783ac'] as const;

function markerColor(userId: string): string {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return MARKER_COLORS[hash % MARKER_COLORS.length] ?? MARKER_COLORS[0];
}

function partyIdFromLocation(): string | null {
  const id = new URL(location.href).searchParams.get('party');
  return id && /^[A-Za-z0-9_-]{22}$/.test(id) ? id : null;
}

/** Sets or removes `?party=` without a navigation (the player keeps playing). */
function setPartyInLocation(partyId: string | null): void {
  const url = new URL(location.href);
  if (partyId) url.searchParams.set('party', partyId);
  else url.searchParams.delete('party');
  history.replaceState(history.state, '', url);
}

type Props = {
  contentId: string;
  video: HTMLVideoElement;
  /** The stage's renderer (for the viewer's own direction and the markers); set once the stage made it. */
  rendererRef: RefObject<SphereRenderer | null>;
  /**
   * Tours: called on every member's page when the host's scene changes (the party's `sceneId`).
   * The tour player switches scene here; the host's tour player calls `changeScene` (see PartyHandle).
   */
  onScene?: (sceneId: string | null) => void;
  /** Receives the host's handle to announce a scene change (null when this page is not the host). */
  onHostHandle?: (handle: PartyHandle | null) => void;
  /**
   * Whether an invitation's party (opened on `partyContentId`) belongs on this page. Default: the
   * same content. A tour page accepts a party opened on any of its scenes' contents.
   */
  acceptsContent?: (partyContentId: string) => boolean;
};

/** What a tour player on the host's page uses to move the party to another scene. */
export type PartyHandle = { changeScene: (sceneId: string, positionSeconds?: number) => void };

export function WatchParty({ contentId, video, rendererRef, onScene, onHostHandle, acceptsContent }: Props) {
  const { me } = useSession();
  const [partyId, setPartyId] = useState<string | null>(partyIdFromLocation);
  const [party, setParty] = useState<Party | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = async (): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      const created = await api.parties.create.mutate({ contentId });
      setPartyInLocation(created.id);
      setParty(created);
      setPartyId(created.id);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  // Joining by the invitation in the address (also re-joining after a reload: join is idempotent).
  useEffect(() => {
    if (!partyId || !me) return;
    let live = true;
    api.parties.join.mutate({ partyId }).then(
      (joined) => {
        if (!live) return;
        if (acceptsContent ? !acceptsContent(joined.contentId) : joined.contentId !== contentId) {
          setProblem('This invitation is for another video.');
          return;
        }
        setParty(joined);
      },
      (error: unknown) => {
        if (live) setProblem(errorMessage(error));
      },
    );
    return () => {
      live = false;
    };
    // acceptsContent is read once per join (a tour page passes a new function each render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [partyId, me, contentId]);

  /** Leaves (a host hands the party on), or as its host ends it for everyone. */
  const leave = async (how: 'leave' | 'end'): Promise<void> => {
    if (!party) return;
    try {
      await (how === 'end' ? api.parties.end : api.parties.leave).mutate({ partyId: party.id });
    } catch (error) {
      console.info(`watch party: ${how} failed`, error);
    }
    setPartyInLocation(null);
    setParty(null);
    setPartyId(null);
  };

  if (me === undefined) return null;
  if (!party) {
    return (
      <div className="party-panel party-closed" data-testid="party-panel">
        {me === null ? (
          <p className="party-note">{partyId ? 'Sign in to join this watch party.' : 'Sign in to watch together with friends.'}</p>
        ) : partyId && !problem ? (
          <p className="party-note" role="status">
            Joining the watch party…
          </p>
        ) : (
          <button type="button" className="button party-start" onClick={() => void start()} disabled={busy}>
            Watch together
          </button>
        )}
        {problem ? (
          <p className="party-note" role="alert">
            {problem}
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <PartySession
      key={party.id}
      party={party}
      meId={me?.id ?? ''}
      video={video}
      rendererRef={rendererRef}
      onLeave={() => void leave('leave')}
      onEnd={() => void leave('end')}
      onScene={onScene}
      onHostHandle={onHostHandle}
      onEnded={(reason) => {
        setPartyInLocation(null);
        setParty(null);
        setPartyId(null);
        setProblem(reason);
      }}
    />
  );
}

type ViewEntry = { yaw: number; pitch: number; at: number };

function PartySession({
  party,
  meId,
  video,
  rendererRef,
  onLeave,
  onEnd,
  onEnded,
  onScene,
  onHostHandle,
}: {
  party: Party;
  meId: string;
  video: HTMLVideoElement;
  rendererRef: RefObject<SphereRenderer | null>;
  onLeave: () => void;
  onEnd: () => void;
  onEnded: (reason: string) => void;
  onScene?: ((sceneId: string | null) => void) | undefined;
  onHostHandle?: ((handle: PartyHandle | null) => void) | undefined;
}) {
  const [members, setMembers] = useState<PartyMember[]>(party.members);
  // The host can change while the party runs: a host who leaves hands it to the member who joined first.
  const isHost = (members.find((m) => m.host)?.id ?? party.hostId) === meId;
  const [state, setState] = useState<PartyState>(party.state);
  const [messages, setMessages] = useState<PartyChatMessage[]>([]);
  const [views, setViews] = useState<Map<string, ViewEntry>>(() => new Map());
  const [connected, setConnected] = useState(false);
  const [status, setStatus] = useState<FollowStatus | null>(null);
  const [draft, setDraft] = useState('');
  const [chatProblem, setChatProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [renderer, setRenderer] = useState<SphereRenderer | null>(rendererRef.current);
  const markerHost = useRef<HTMLDivElement | null>(null);
  const [layer, setLayer] = useState<ViewMarkerLayer | null>(null);
  const followerRef = useRef<PartyFollower | null>(null);
  const onSceneRef = useRef(onScene);
  onSceneRef.current = onScene;
  const onEndedRef = useRef(onEnded);
  onEndedRef.current = onEnded;
  const onHostHandleRef = useRef(onHostHandle);
  onHostHandleRef.current = onHostHandle;
  const stateRef = useRef(state);
  stateRef.current = state;
  const client = useMemo(() => createTRPCClient<AppRouter>({ links: [httpSubscriptionLink({ url: '/trpc' })] }), []);
  const clock = useMemo(() => new PartyClock(() => api.parties.clock.query()), []);
  const inviteUrl = new URL(party.invitePath, location.href).toString();

  // The stage creates its renderer after the three.js chunk loaded: wait for it.
  useEffect(() => {
    if (renderer) return;
    const timer = setInterval(() => {
      if (rendererRef.current) setRenderer(rendererRef.current);
    }, 200);
    return () => clearInterval(timer);
  }, [renderer, rendererRef]);

  // The clock estimate, then the host's reporter or the member's follower.
  useEffect(() => {
    let cancelled = false;
    let reporter: PartyHostReporter | null = null;
    let follower: PartyFollower | null = null;
    void clock.start().then(() => {
      if (cancelled) return;
      if (isHost) {
        reporter = new PartyHostReporter(video, clock, (control) => api.parties.control.mutate({ partyId: party.id, ...control }));
        reporter.start();
        const handle = reporter;
        onHostHandleRef.current?.({ changeScene: (sceneId, positionSeconds) => handle.changeScene(sceneId, positionSeconds) });
      } else {
        follower = new PartyFollower(video, clock, { onScene: (sceneId) => onSceneRef.current?.(sceneId), onStatus: setStatus });
        followerRef.current = follower;
        follower.start();
        follower.setState(stateRef.current);
      }
    });
    return () => {
      cancelled = true;
      reporter?.destroy();
      follower?.destroy();
      followerRef.current = null;
      onHostHandleRef.current?.(null);
      clock.destroy();
    };
  }, [clock, isHost, party.id, video]);

  // The party's events.
  useEffect(() => {
    const apply = (event: RealtimeEvent): void => {
      switch (event.type) {
        case 'party.state':
          setState((current) => (event.state.revision >= current.revision ? event.state : current));
          followerRef.current?.setState(event.state);
          break;
        case 'party.members':
          setMembers(event.members);
          break;
        case 'party.views':
          setViews((current) => {
            const next = new Map(current);
            const at = Date.now();
            for (const view of event.views) if (view.userId !== meId) next.set(view.userId, { yaw: view.yaw, pitch: view.pitch, at });
            return next;
          });
          break;
        case 'party.chat':
          setMessages((current) => (current.some((m) => m.id === event.message.id) ? current : [...current, event.message].slice(-CHAT_KEEP)));
          break;
        case 'party.ended':
          onEndedRef.current(event.reason);
          break;
        case 'ready':
          setConnected(true);
          break;
        default:
          break;
      }
    };
    const subscription = client.parties.events.subscribe(
      { partyId: party.id },
      {
        onData: (tracked) => {
          const parsed = realtimeEventSchema.safeParse(tracked.data);
          if (parsed.success) apply(parsed.data);
        },
        onError: (error) => {
          setConnected(false);
          console.info('watch party channel closed', error);
        },
        onConnectionStateChange: (change) => {
          if (change.state !== 'pending') setConnected(false);
        },
      },
    );
    return () => subscription.unsubscribe();
  }, [client, party.id, meId]);

  // The viewer's own direction (the view on screen, the head's in a headset), at most 4 a second,
  // only when it moved (and now and then anyway).
  useEffect(() => {
    if (!renderer) return;
    let sent: { yaw: number; pitch: number; at: number } | null = null;
    const timer = setInterval(() => {
      const gaze = renderer.getGaze();
      const now = Date.now();
      const moved = !sent || Math.abs(sent.yaw - gaze.yaw) >= VIEW_MIN_CHANGE || Math.abs(sent.pitch - gaze.pitch) >= VIEW_MIN_CHANGE;
      if (!moved && sent && now - sent.at < VIEW_KEEPALIVE_MS) return;
      const yaw = Math.max(-180, Math.min(180, Math.round(gaze.yaw * 10) / 10));
      const pitch = Math.max(-90, Math.min(90, Math.round(gaze.pitch * 10) / 10));
      sent = { yaw, pitch, at: now };
      api.parties.view.mutate({ partyId: party.id, yaw, pitch }).catch((error: unknown) => console.info('watch party: view not sent', error));
    }, VIEW_SEND_MS);
    return () => clearInterval(timer);
  }, [renderer, party.id]);

  // The marker layer over the sphere (the renderer module is loaded by then: this import is instant).
  useEffect(() => {
    const host = markerHost.current;
    if (!renderer || !host) return;
    let created: ViewMarkerLayer | null = null;
    let cancelled = false;
    void import('@spherecast/shared/renderer').then(({ ViewMarkerLayer }) => {
      if (cancelled) return;
      created = new ViewMarkerLayer(renderer, host);
      created.start();
      setLayer(created);
    });
    return () => {
      cancelled = true;
      created?.destroy();
      setLayer(null);
    };
  }, [renderer]);

  const memberIds = useMemo(() => new Set(members.map((m) => m.id)), [members]);
  useEffect(() => {
    if (!layer) return;
    const draw = (): void => {
      const now = Date.now();
      layer.setMarkers(
        members
          .filter((m) => m.id !== meId && memberIds.has(m.id))
          .flatMap((m) => {
            const view = views.get(m.id);
            if (!view || now - view.at > VIEW_STALE_MS) return [];
            return [{ id: m.id, label: m.displayName, yaw: view.yaw, pitch: view.pitch, color: markerColor(m.id) }];
          }),
      );
    };
    draw();
    const timer = setInterval(draw, 5000);
    return () => clearInterval(timer);
  }, [layer, members, memberIds, views, meId]);

  const send = async (): Promise<void> => {
    const body = draft.trim();
    if (!body) return;
    setChatProblem(null);
    try {
      const message = await api.parties.chat.mutate({ partyId: party.id, body });
      setMessages((current) => (current.some((m) => m.id === message.id) ? current : [...current, message].slice(-CHAT_KEEP)));
      setDraft('');
    } catch (error) {
      setChatProblem(errorMessage(error));
    }
  };

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(inviteUrl);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <>
      <div className="party-markers" ref={markerHost} />
      <section
        className="party-panel"
        aria-label="Watch party"
        data-testid="party-panel"
        data-party-id={party.id}
        data-host={String(isHost)}
        data-connected={String(connected)}
        data-revision={state.revision}
        data-playing={String(state.playing)}
        data-scene={state.sceneId ?? ''}
        data-drift={status ? status.driftSeconds.toFixed(3) : ''}
        data-seeks={status?.seeks ?? 0}
        data-clock-rtt={Number.isFinite(clock.rttMs) ? clock.rttMs.toFixed(1) : ''}
      >
        <header className="party-header">
          <strong>Watch party</strong>
          <span className="party-count">
            {members.length}/{PARTY_LIMITS.membersMax}
          </span>
          <button
            type="button"
            className="party-leave"
            onClick={onLeave}
            title={isHost && members.length > 1 ? 'The member who joined first leads after you' : undefined}
          >
            Leave
          </button>
          {isHost ? (
            <button type="button" className="party-leave" onClick={onEnd}>
              End for all
            </button>
          ) : null}
        </header>
        <div className="party-invite">
          <input readOnly value={inviteUrl} aria-label="Invitation link" data-testid="party-invite" onFocus={(e) => e.currentTarget.select()} />
          <button type="button" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
        <ul className="party-members" aria-label="Members">
          {members.map((m) => (
            <li key={m.id}>
              <span className="party-swatch" style={{ background: markerColor(m.id) }} aria-hidden="true" />
              {m.displayName}
              {m.host ? ' (host)' : ''}
              {m.id === meId ? ' (you)' : ''}
            </li>
          ))}
        </ul>
        {isHost && party.hostId !== meId ? (
          <p className="party-note" role="status">
            The host left: you lead the watch party now, everyone follows your play, pause and seek.
          </p>
        ) : null}
        {status?.blocked && !isHost ? <p className="party-note">Press play to follow the host.</p> : null}
        <ol className="party-chat" aria-label="Party chat" aria-live="polite" data-testid="party-chat">
          {messages.map((m) => (
            <li key={m.id}>
              <b>{m.author.displayName}</b> {m.body}
            </li>
          ))}
        </ol>
        <form
          className="party-send"
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <input
            value={draft}
            maxLength={PARTY_LIMITS.chatMessageMax}
            onChange={(e) => setDraft(e.currentTarget.value)}
            placeholder="Say something"
            aria-label="Message to the party"
          />
          <button type="submit">Send</button>
        </form>
        {chatProblem ? (
          <p className="party-note" role="alert">
            {chatProblem}
          </p>
        ) : null}
      </section>
    </>
  );
}
