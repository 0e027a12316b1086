// Operators' announcements, on every page: a banner under the top bar, over the picture on the watch
// page (a stage takes them over while it is mounted) and, in a headset, on the renderer's XR panel.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, type RouterOutputs } from '../api/client.ts';

export type Announcement = RouterOutputs['announcements']['active']['items'][number];

const DISMISSED_KEY = 'spherecast.dismissedAnnouncements';
/** How many dismissed ids are remembered (old ones have ended long ago). */
const DISMISSED_KEEP = 50;
/** Active announcements are fetched again this often, so a long viewing session sees new ones. */
const REFRESH_MS = 5 * 60_000;

type Announcements = {
  /** Active announcements this viewer has not dismissed, newest first. */
  items: readonly Announcement[];
  dismiss: (id: string) => void;
  /** A stage shows the announcements over its picture while mounted; the page banner steps aside. */
  claimForStage: () => () => void;
  stageShowing: boolean;
};

const AnnouncementsContext = createContext<Announcements | null>(null);

function readDismissed(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export function AnnouncementsProvider({ children }: { children: ReactNode }) {
  const [active, setActive] = useState<readonly Announcement[]>([]);
  const [dismissed, setDismissed] = useState<string[]>(readDismissed);
  const [stages, setStages] = useState(0);

  useEffect(() => {
    let live = true;
    const load = (): void => {
      api.announcements.active.query().then(
        (result) => live && setActive(result.items),
        // Announcements are extra: a failed fetch leaves the page as it is.
        (error: unknown) => console.info('could not load announcements', error),
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  const dismiss = useCallback((id: string) => {
    setDismissed((current) => {
      if (current.includes(id)) return current;
      const next = [...current, id].slice(-DISMISSED_KEEP);
      try {
        localStorage.setItem(DISMISSED_KEY, JSON.stringify(next));
      } catch {
        // storage blocked: the dismissal lasts for this page view only
      }
      return next;
    });
  }, []);

  const claimForStage = useCallback(() => {
    setStages((n) => n + 1);
    return () => setStages((n) => n - 1);
  }, []);

  const items = useMemo(() => active.filter((a) => !dismissed.includes(a.id)), [active, dismissed]);
  const value = useMemo(() => ({ items, dismiss, claimForStage, stageShowing: stages > 0 }), [items, dismiss, claimForStage, stages]);
  return <AnnouncementsContext.Provider value={value}>{children}</AnnouncementsContext.Provider>;
}

export function useAnnouncements(): Announcements {
  const value = useContext(AnnouncementsContext);
  if (!value) throw new Error('useAnnouncements outside AnnouncementsProvider');
  return value;
}

function AnnouncementItem({ announcement, onDismiss, className }: { announcement: Announcement; onDismiss: () => void; className: string }) {
  return (
    <div className={className} role="status" data-testid="announcement">
      <div className="announcement-text">
        <strong>{announcement.title}</strong>
        <p>{announcement.body}</p>
      </div>
      <button type="button" className="icon-button announcement-dismiss" aria-label={`Dismiss "${announcement.title}"`} onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

/** The page banner under the top bar; steps aside while a stage shows the announcements over its picture. */
export function AnnouncementBanner() {
  const { items, dismiss, stageShowing } = useAnnouncements();
  if (stageShowing || items.length === 0) return null;
  return (
    <section className="announcements" aria-label="Announcements">
      {items.map((a) => (
        <AnnouncementItem key={a.id} announcement={a} className="announcement" onDismiss={() => dismiss(a.id)} />
      ))}
    </section>
  );
}

/**
 * The newest announcement over the picture (the next one shows when it is dismissed). The stage
 * places it above its controls. Claims the announcements from the page banner while mounted.
 */
export function StageAnnouncement() {
  const { items, dismiss, claimForStage } = useAnnouncements();
  useEffect(() => claimForStage(), [claimForStage]);
  const first = items[0];
  if (!first) return null;
  return (
    <section className="stage-announcement-area" aria-label="Announcements">
      <AnnouncementItem announcement={first} className="announcement stage-announcement" onDismiss={() => dismiss(first.id)} />
    </section>
  );
}
