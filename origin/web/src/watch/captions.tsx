import { useCallback, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type RefObject } from 'react';
import type { CaptionTrackInfo, Player } from '@spherecast/shared/player';
import type { SphereRenderer } from '@spherecast/shared/renderer';
import './captions.css';

/** Where the viewer's last caption language is remembered (a BCP 47 tag, or '' for off). */
const PREFERENCE_KEY = 'spherecast.captions';

function readPreference(): string | null {
  try {
    return localStorage.getItem(PREFERENCE_KEY);
  } catch {
    return null;
  }
}

function writePreference(lang: string): void {
  try {
    localStorage.setItem(PREFERENCE_KEY, lang);
  } catch {
    // Private mode or storage off: the choice lasts for this page only.
  }
}

export type CaptionsState = {
  tracks: readonly CaptionTrackInfo[];
  /** Index in `tracks`, or -1 when off. */
  selected: number;
  /** The caption to show now, plain text, or null. */
  cue: string | null;
  select: (index: number) => void;
};

/**
 * The player's captions as React state: the languages, the chosen one (the viewer's last choice is
 * taken again when the video has it), and the cue, which also goes to the renderer for the WebXR
 * panel. `c` on the stage turns captions on and off.
 */
export function useCaptions(player: Player | null, rendererRef: RefObject<SphereRenderer | null>, stageRef: RefObject<HTMLDivElement | null>): CaptionsState {
  const [tracks, setTracks] = useState<readonly CaptionTrackInfo[]>([]);
  const [selected, setSelected] = useState(-1);
  const [cue, setCue] = useState<string | null>(null);
  const lastOn = useRef<number>(0);

  useEffect(() => {
    if (!player) return;
    const { captions } = player;
    const onTracks = (list: CaptionTrackInfo[]): void => {
      setTracks(list);
      const preferred = readPreference();
      const match = preferred ? list.findIndex((t) => t.lang === preferred) : -1;
      if (match !== -1 && captions.selected === -1) captions.select(match);
    };
    const onSelected = ({ index }: { index: number }): void => {
      setSelected(index);
      if (index !== -1) lastOn.current = index;
    };
    const onCue = ({ text }: { text: string | null }): void => setCue(text);
    captions.on('tracks', onTracks);
    captions.on('selected', onSelected);
    captions.on('cue', onCue);
    if (captions.tracks.length > 0) onTracks([...captions.tracks]);
    setSelected(captions.selected);
    setCue(captions.cue);
    return () => {
      captions.off('tracks', onTracks);
      captions.off('selected', onSelected);
      captions.off('cue', onCue);
      setTracks([]);
      setSelected(-1);
      setCue(null);
    };
  }, [player]);

  const select = useCallback(
    (index: number): void => {
      if (!player) return;
      player.captions.select(index);
      writePreference(index === -1 ? '' : (player.captions.tracks[index]?.lang ?? ''));
    },
    [player],
  );

  // In a headset the page is out of sight: the renderer draws the cue on its gaze-following panel.
  useEffect(() => {
    rendererRef.current?.setCaption(cue);
  }, [rendererRef, cue]);
  useEffect(() => () => rendererRef.current?.setCaption(null), [rendererRef]);

  useEffect(() => {
    const stage = stageRef.current;
    if (!stage || tracks.length === 0) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key.toLowerCase() !== 'c' || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      select(selected === -1 ? Math.min(lastOn.current, tracks.length - 1) : -1);
    };
    stage.addEventListener('keydown', onKey);
    return () => stage.removeEventListener('keydown', onKey);
  }, [stageRef, tracks, selected, select]);

  return { tracks, selected, cue, select };
}

/** The caption over the 360 view: large white text on a dark box, above the controls, in the track's language. */
export function CaptionOverlay({ captions }: { captions: CaptionsState }) {
  const track = captions.tracks[captions.selected];
  if (!track || !captions.cue) return null;
  return (
    <div className="caption-overlay" lang={track.lang || undefined} data-testid="caption">
      {captions.cue.split('\n').map((line, i) => (
        <span key={i} className="caption-line">
          {line}
        </span>
      ))}
    </div>
  );
}

/**
 * The captions menu (Off and each language) in the controls: a menu button with radio items,
 * opened by click, Enter or Space; arrow keys, Home and End move between items; Escape closes and
 * gives focus back to the button.
 */
export function CaptionsMenu({ captions }: { captions: CaptionsState }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement | null>(null);
  const button = useRef<HTMLButtonElement | null>(null);
  const menu = useRef<HTMLDivElement | null>(null);
  const { tracks, selected, select } = captions;

  useEffect(() => {
    if (!open) return;
    // Focus the checked item, as a menu of choices does when it opens.
    menu.current?.querySelector<HTMLButtonElement>('[aria-checked="true"]')?.focus();
    const onPointer = (event: PointerEvent): void => {
      if (event.target instanceof Node && !root.current?.contains(event.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const choose = (index: number): void => {
    select(index);
    setOpen(false);
    button.current?.focus();
  };

  const onMenuKey = (event: ReactKeyboardEvent<HTMLDivElement>): void => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitemradio"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number): void => items[(i + items.length) % items.length]?.focus();
    if (event.key === 'ArrowDown') go(at + 1);
    else if (event.key === 'ArrowUp') go(at - 1);
    else if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(items.length - 1);
    else if (event.key === 'Escape') {
      setOpen(false);
      button.current?.focus();
    } else if (event.key === 'Tab') setOpen(false);
    else return;
    // The stage's own keys (space, arrows) must not act while the menu has them.
    event.preventDefault();
    event.stopPropagation();
  };

  const current = tracks[selected];
  return (
    <div className="quality captions" ref={root}>
      <button
        ref={button}
        type="button"
        className="icon-button quality-button captions-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-pressed={current ? true : undefined}
        aria-label={`CC captions: ${current ? current.label : 'off'}`}
        title="Captions (c)"
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
            event.preventDefault();
            event.stopPropagation();
            setOpen(true);
          }
        }}
        data-testid="captions"
      >
        CC
      </button>
      {open ? (
        <div className="quality-menu" role="menu" aria-label="Captions" ref={menu} onKeyDown={onMenuKey} data-testid="captions-menu">
          <button type="button" role="menuitemradio" aria-checked={selected === -1} tabIndex={-1} onClick={() => choose(-1)}>
            Off
          </button>
          {tracks.map((track) => (
            <button
              key={track.index}
              type="button"
              role="menuitemradio"
              lang={track.lang || undefined}
              aria-checked={selected === track.index}
              tabIndex={-1}
              onClick={() => choose(track.index)}
            >
              {track.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
