import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { PlayerLevel, PlayerLevelState } from '@spherecast/shared/player';
import { formatDuration } from '@spherecast/shared/format';
import { FullscreenIcon, PauseIcon, PlayIcon, RecenterIcon, VolumeIcon } from '../ui/icons.tsx';

type Props = {
  video: HTMLVideoElement;
  levels: readonly PlayerLevel[];
  level: PlayerLevelState;
  onLevel: (level: 'auto' | number) => void;
  onRecenter: () => void;
  stageRef: RefObject<HTMLDivElement | null>;
  /** More controls before the quality menu (the captions menu). */
  extra?: ReactNode;
};

/** Mirrors the media element's state that the controls show. */
function useMediaState(video: HTMLVideoElement) {
  const read = () => ({
    paused: video.paused,
    currentTime: video.currentTime,
    duration: Number.isFinite(video.duration) ? video.duration : 0,
    buffered: video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1) : 0,
    muted: video.muted,
    volume: video.volume,
    waiting: video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA && !video.paused,
  });
  const [state, setState] = useState(read);
  useEffect(() => {
    const update = (): void => setState(read());
    const events = ['play', 'pause', 'timeupdate', 'durationchange', 'progress', 'volumechange', 'waiting', 'playing', 'seeked', 'ended'];
    for (const e of events) video.addEventListener(e, update);
    update();
    return () => {
      for (const e of events) video.removeEventListener(e, update);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [video]);
  return state;
}

export function VideoControls({ video, levels, level, onLevel, onRecenter, stageRef, extra }: Props) {
  const media = useMediaState(video);
  const [seeking, setSeeking] = useState<number | null>(null);
  // While a pointer drags the thumb, only the preview moves and the seek happens on release; a key
  // press (arrow, Page Up/Down, Home/End) seeks at once, on keydown, as a slider should.
  const dragging = useRef(false);
  useEffect(() => {
    const onSeeked = (): void => {
      if (!dragging.current) setSeeking(null);
    };
    video.addEventListener('seeked', onSeeked);
    return () => video.removeEventListener('seeked', onSeeked);
  }, [video]);
  const [fullscreen, setFullscreen] = useState(false);

  useEffect(() => {
    const onChange = (): void => setFullscreen(document.fullscreenElement === stageRef.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, [stageRef]);

  // Player keys on the stage (arrow keys stay with the look controls on the canvas).
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement || event.ctrlKey || event.metaKey || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === ' ' || key === 'k') {
        if (event.target instanceof HTMLButtonElement && key === ' ') return;
        event.preventDefault();
        if (video.paused) void video.play().catch(() => undefined);
        else video.pause();
      } else if (key === 'm') {
        video.muted = !video.muted;
      } else if (key === 'f') {
        if (document.fullscreenElement) void document.exitFullscreen();
        else void stage.requestFullscreen().catch(() => undefined);
      } else if (key === 'j' || key === 'l') {
        video.currentTime = Math.max(0, video.currentTime + (key === 'j' ? -10 : 10));
      }
    };
    stage.addEventListener('keydown', onKey);
    return () => stage.removeEventListener('keydown', onKey);
  }, [stageRef, video]);

  const togglePlay = (): void => {
    if (video.paused) void video.play().catch(() => undefined);
    else video.pause();
  };
  const toggleFullscreen = (): void => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void stageRef.current?.requestFullscreen().catch(() => undefined);
  };

  const shown = seeking ?? media.currentTime;

  return (
    <div className="controls" onPointerDown={(e) => e.stopPropagation()}>
      {media.waiting ? <span className="stage-spinner spinner" role="status" aria-label="Buffering" /> : null}
      <input
        className="seek"
        type="range"
        min={0}
        max={media.duration || 0}
        step={0.1}
        value={Math.min(shown, media.duration || 0)}
        aria-label="Seek"
        style={{ ['--buffered' as string]: media.duration ? `${(media.buffered / media.duration) * 100}%` : '0%' }}
        onPointerDown={() => {
          dragging.current = true;
        }}
        onChange={(e) => {
          const value = Number(e.target.value);
          if (dragging.current) {
            setSeeking(value);
            return;
          }
          video.currentTime = value;
          // Shown until the video has got there: the slider must not jump back to the old position
          // in between (the native change event that follows would seek back to it).
          setSeeking(value);
        }}
        onPointerUp={() => {
          dragging.current = false;
          if (seeking !== null) video.currentTime = seeking;
          setSeeking(null);
        }}
        onPointerCancel={() => {
          dragging.current = false;
          setSeeking(null);
        }}
      />
      <div className="controls-row">
        <button type="button" className="icon-button" onClick={togglePlay} aria-label={media.paused ? 'Play' : 'Pause'} data-testid="play-toggle">
          {media.paused ? <PlayIcon /> : <PauseIcon />}
        </button>
        <button type="button" className="icon-button" onClick={() => (video.muted = !video.muted)} aria-label={media.muted ? 'Unmute' : 'Mute'}>
          <VolumeIcon muted={media.muted || media.volume === 0} />
        </button>
        <input
          className="volume"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={media.muted ? 0 : media.volume}
          aria-label="Volume"
          onChange={(e) => {
            video.volume = Number(e.target.value);
            video.muted = video.volume === 0;
          }}
        />
        <span className="time" aria-label="Position" data-testid="time">
          {formatDuration(shown)} / {formatDuration(media.duration)}
        </span>
        <span className="spacer" />
        <button type="button" className="icon-button" onClick={onRecenter} title="Look straight ahead" aria-label="Recentre view">
          <RecenterIcon />
        </button>
        {extra}
        {levels.length > 1 ? <QualityMenu levels={levels} level={level} onLevel={onLevel} /> : null}
        <button
          type="button"
          className="icon-button"
          onClick={toggleFullscreen}
          aria-label={fullscreen ? 'Exit full screen' : 'Full screen'}
          data-testid="fullscreen"
        >
          <FullscreenIcon exit={fullscreen} />
        </button>
      </div>
    </div>
  );
}

/**
 * Quality as a menu of the page's own (a native <select> popup is drawn by the browser, which on
 * phones may place it off the edge of the stage). It opens upward from the controls, aligned to
 * the button's right edge, and scrolls when the stage is short.
 */
function QualityMenu({ levels, level, onLevel }: Pick<Props, 'levels' | 'level' | 'onLevel'>) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement | null>(null);
  const button = useRef<HTMLButtonElement | null>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent): void => {
      if (event.target instanceof Node && !root.current?.contains(event.target)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const choose = (choice: 'auto' | number): void => {
    onLevel(choice);
    setOpen(false);
    button.current?.focus();
  };
  const current = level.auto ? 'Auto' : (level.level?.label ?? 'Auto');
  const autoLabel = level.auto && level.level ? `Auto (${level.level.label})` : 'Auto';

  return (
    <div className="quality" ref={root}>
      <button
        ref={button}
        type="button"
        className="icon-button quality-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Quality: ${level.auto && level.level ? autoLabel : current}`}
        onClick={() => setOpen((o) => !o)}
        data-testid="quality"
      >
        {current}
      </button>
      {open ? (
        <div className="quality-menu" role="menu" aria-label="Quality" data-testid="quality-menu">
          <button type="button" role="menuitemradio" aria-checked={level.auto} onClick={() => choose('auto')}>
            {autoLabel}
          </button>
          {[...levels].reverse().map((l) => (
            <button key={l.index} type="button" role="menuitemradio" aria-checked={!level.auto && level.index === l.index} onClick={() => choose(l.index)}>
              {l.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
