// A share button for content, destinations and (later) tours: the system share sheet where the browser
// has one (Web Share API), otherwise the link is copied, with a confirmation screen readers announce.
import { useEffect, useRef, useState } from 'react';
import { withSharedView, type SharedView } from '@spherecast/shared';
import { formatDuration } from '@spherecast/shared/format';
import { currentMoment } from './shared-view.ts';

type Props = {
  /** The page's path on this origin, e.g. `/watch/<id>` or `/destinations/<id>`. */
  path: string;
  title: string;
  /** A key whose stage reports the current moment (see shared-view.ts): the link then carries t, yaw and pitch. */
  momentKey?: string;
};

const CONFIRM_MS = 4000;

/** Copies `text`: the async clipboard API, else a selected text field and execCommand (older browsers, http pages). */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Denied (permissions, no focus): try the old way.
  }
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.opacity = '0';
  document.body.append(field);
  field.select();
  try {
    return document.execCommand('copy');
  } finally {
    field.remove();
  }
}

/** The link to share: the page's URL with the current moment and direction when a stage reports one. */
export function shareUrl(path: string, moment: SharedView | null): string {
  const url = new URL(path, location.origin).toString();
  return moment ? withSharedView(url, moment) : url;
}

export function ShareButton({ path, title, momentKey }: Props) {
  const [status, setStatus] = useState<{ text: string; link: string; copied: boolean } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const say = (text: string, link: string, copied: boolean): void => {
    setStatus({ text, link, copied });
    if (timer.current) clearTimeout(timer.current);
    // A confirmation goes after a while; a link to copy by hand stays until the next share.
    timer.current = copied ? setTimeout(() => setStatus(null), CONFIRM_MS) : null;
  };

  const share = async (): Promise<void> => {
    const moment = momentKey ? currentMoment(momentKey) : null;
    const link = shareUrl(path, moment);
    const data = { title, url: link };
    if (typeof navigator.share === 'function' && (navigator.canShare?.(data) ?? true)) {
      try {
        await navigator.share(data);
        return;
      } catch (error) {
        // The viewer closed the sheet: nothing to do. Any other failure falls back to copying.
        if (error instanceof DOMException && error.name === 'AbortError') return;
      }
    }
    if (await copyText(link)) say(moment?.t != null ? `Link copied, starting at ${formatDuration(moment.t)}` : 'Link copied', link, true);
    else say('Could not copy the link: select it below and copy it yourself', link, false);
  };

  return (
    <span className="share">
      <button type="button" className="button button-ghost" onClick={() => void share()} data-testid="share-button">
        Share
      </button>
      {/* Always in the page (empty when idle), so that screen readers announce what is put in it. */}
      <span role="status" aria-live="polite" className="share-status" data-testid="share-status" data-link={status?.link ?? undefined}>
        {status?.text ?? ''}
      </span>
      {status && !status.copied ? (
        <input className="share-link" readOnly value={status.link} aria-label="Link to share" onFocus={(event) => event.currentTarget.select()} />
      ) : null}
    </span>
  );
}
