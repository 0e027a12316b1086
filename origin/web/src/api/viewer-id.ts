// An anonymous, random id this browser keeps so the origin can resume playback without an account.
const KEY = 'spherecast.viewer';

export function viewerId(): string {
  try {
    const existing = localStorage.getItem(KEY);
    if (existing && /^[A-Za-z0-9_-]{16,64}$/.test(existing)) return existing;
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    const id = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    localStorage.setItem(KEY, id);
    return id;
  } catch {
    // Storage blocked (private mode in some browsers): resume simply does not work.
    return 'anonymous-viewer-0000';
  }
}
