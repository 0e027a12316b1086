// The real-time part of the watch page beside the player: reactions and the live chat (with the
// viewer count). Broadcasts only: a live channel's content, live or its recording.
import { ChatPanel } from './chat-panel.tsx';
import { ReactionButtons } from './reactions.tsx';

export function WatchRealtime({ content }: { content: { id: string; kind: string; status: string; owner: { id: string } } }) {
  if (content.kind !== 'live') return null;
  const live = content.status === 'live';
  return (
    <aside className="watch-realtime" aria-label="Live interaction">
      {live ? <ReactionButtons contentId={content.id} /> : null}
      <ChatPanel contentId={content.id} ownerId={content.owner.id} live={live} />
    </aside>
  );
}
