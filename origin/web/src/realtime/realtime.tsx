// The page's one real-time channel (tRPC subscription over server-sent events): alerts on every
// page, and on the watch page the chat, reactions and viewer count of what is watched. The
// EventSource reconnects by itself with the last event id, and the origin replays what was missed.
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { DISMISSIBLE_SEVERITIES, realtimeEventSchema, type Alert, type ChatMessage, type RealtimeEvent, type ReactionKind } from '@spherecast/shared';
import type { AppRouter } from '@spherecast/origin/client';
import { api } from '../api/client.ts';

/** Chat messages kept on screen per content. */
const CHAT_KEEP = 300;

export type ReactionTick = Partial<Record<ReactionKind, number>>;

interface Realtime {
  connected: boolean;
  /** Alerts in force now (started, not expired, not ended), most severe first. */
  alerts: readonly Alert[];
  /** Hides an info or warning alert on this page (severe and extreme stay). */
  dismissAlert: (id: string) => void;
  /** The content the channel follows (set by the watch page), its chat and viewer count. */
  contentId: string | null;
  follow: (contentId: string | null) => void;
  messages: readonly ChatMessage[];
  viewers: number | null;
  mutedUserIds: ReadonlySet<string>;
  /** Listeners of per-second reaction sums (the floating bursts). */
  onReactions: (listener: (tick: ReactionTick) => void) => () => void;
}

const RealtimeContext = createContext<Realtime | null>(null);

const SEVERITY_ORDER: Record<Alert['severity'], number> = { extreme: 0, severe: 1, warning: 2, info: 3 };

function activeNow(alerts: Map<string, Alert>, now: number): Alert[] {
  return [...alerts.values()]
    .filter((a) => Date.parse(a.startsAt) <= now && Date.parse(a.expiresAt) > now)
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.createdAt.localeCompare(a.createdAt));
}

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [contentId, setContentId] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const [alertMap, setAlertMap] = useState<Map<string, Alert>>(() => new Map());
  const [now, setNow] = useState(() => Date.now());
  const [dismissed, setDismissed] = useState<readonly string[]>([]);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [viewers, setViewers] = useState<number | null>(null);
  const [muted, setMuted] = useState<Set<string>>(() => new Set());
  const reactionListeners = useRef(new Set<(tick: ReactionTick) => void>());
  const client = useMemo(() => createTRPCClient<AppRouter>({ links: [httpSubscriptionLink({ url: '/trpc' })] }), []);

  // Alerts start and expire on their own clock.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    setMessages([]);
    setViewers(null);
    setMuted(new Set());
    let live = true;
    // A viewer joining late sees the chat so far (a VOD viewer sees it replay in time).
    if (contentId) {
      api.chat.history.query({ contentId, limit: 200 }).then(
        (history) => {
          if (!live) return;
          setMessages((current) => mergeMessages(history.items, current));
        },
        (error: unknown) => console.info('could not load the chat', error),
      );
    }
    const apply = (event: RealtimeEvent): void => {
      switch (event.type) {
        case 'alert':
          setAlertMap((m) => new Map(m).set(event.alert.id, event.alert));
          break;
        case 'alert.ended':
          setAlertMap((m) => {
            const next = new Map(m);
            next.delete(event.alertId);
            return next;
          });
          break;
        case 'chat.message':
          setMessages((current) => mergeMessages(current, [event.message]));
          break;
        case 'chat.deleted':
          setMessages((current) => current.filter((m) => m.id !== event.messageId));
          break;
        case 'chat.muted':
          setMuted((current) => {
            const next = new Set(current);
            if (event.muted) next.add(event.userId);
            else next.delete(event.userId);
            return next;
          });
          break;
        case 'viewers':
          setViewers(event.count);
          break;
        case 'reactions':
          for (const listener of reactionListeners.current) listener(event.counts);
          break;
        case 'ready':
          setConnected(true);
          break;
      }
    };
    const subscription = client.realtime.events.subscribe(contentId ? { contentId } : {}, {
      onData: (tracked) => {
        const parsed = realtimeEventSchema.safeParse(tracked.data);
        if (parsed.success) apply(parsed.data);
      },
      onError: (error) => {
        console.info('real-time channel closed', error);
        setConnected(false);
      },
      onConnectionStateChange: (state) => {
        if (state.state !== 'pending') setConnected(false);
      },
    });
    return () => {
      live = false;
      subscription.unsubscribe();
    };
  }, [client, contentId]);

  const onReactions = useCallback((listener: (tick: ReactionTick) => void) => {
    reactionListeners.current.add(listener);
    return () => {
      reactionListeners.current.delete(listener);
    };
  }, []);
  const alerts = useMemo(
    () => activeNow(alertMap, now).filter((a) => !(dismissed.includes(a.id) && DISMISSIBLE_SEVERITIES.includes(a.severity))),
    [alertMap, now, dismissed],
  );
  const dismissAlert = useCallback((id: string) => setDismissed((d) => [...d, id]), []);
  const value = useMemo<Realtime>(
    () => ({ connected, alerts, dismissAlert, contentId, follow: setContentId, messages, viewers, mutedUserIds: muted, onReactions }),
    [connected, alerts, dismissAlert, contentId, messages, viewers, muted, onReactions],
  );
  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}

function mergeMessages(a: readonly ChatMessage[], b: readonly ChatMessage[]): ChatMessage[] {
  const byId = new Map<string, ChatMessage>();
  for (const m of [...a, ...b]) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => x.sentAt.localeCompare(y.sentAt) || x.id.localeCompare(y.id)).slice(-CHAT_KEEP);
}

export function useRealtime(): Realtime {
  const value = useContext(RealtimeContext);
  if (!value) throw new Error('useRealtime outside RealtimeProvider');
  return value;
}

/** The alerts in force on this page, or none outside a RealtimeProvider (a stage shown on its own). */
export function useActiveAlerts(): readonly Alert[] {
  return useContext(RealtimeContext)?.alerts ?? NO_ALERTS;
}
const NO_ALERTS: readonly Alert[] = [];

/** The watch page follows its content on the page's channel while mounted. */
export function useFollowContent(contentId: string): Realtime {
  const realtime = useRealtime();
  const { follow } = realtime;
  useEffect(() => {
    follow(contentId);
    return () => follow(null);
  }, [follow, contentId]);
  return realtime;
}
