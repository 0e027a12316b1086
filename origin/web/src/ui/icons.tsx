// Inline icons: fonts on kiosks and headsets often lack emoji, and SVG scales with the text.
import type { ReactNode } from 'react';

function Icon({ children, size = 18 }: { children: ReactNode; size?: number }) {
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} fill="currentColor" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export const PlayIcon = () => (
  <Icon>
    <path d="M7 4.5v15l13-7.5z" />
  </Icon>
);
export const PauseIcon = () => (
  <Icon>
    <path d="M6 4h4v16H6zM14 4h4v16h-4z" />
  </Icon>
);
export const VolumeIcon = ({ muted }: { muted: boolean }) => (
  <Icon>
    <path d="M3 9v6h4l5 5V4L7 9z" />
    {muted ? (
      <path d="M16 9l5 5m0-5l-5 5" stroke="currentColor" strokeWidth="2" fill="none" />
    ) : (
      <path d="M15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12" stroke="currentColor" strokeWidth="2" fill="none" />
    )}
  </Icon>
);
export const FullscreenIcon = ({ exit }: { exit: boolean }) => (
  <Icon>
    <path d={exit ? 'M9 3v6H3M15 3v6h6M9 21v-6H3M15 21v-6h6' : 'M3 9V3h6M21 9V3h-6M3 15v6h6M21 15v6h-6'} stroke="currentColor" strokeWidth="2" fill="none" />
  </Icon>
);
export const RecenterIcon = () => (
  <Icon>
    <circle cx="12" cy="12" r="7" stroke="currentColor" strokeWidth="2" fill="none" />
    <circle cx="12" cy="12" r="2.5" />
    <path d="M12 1v4M12 19v4M1 12h4M19 12h4" stroke="currentColor" strokeWidth="2" />
  </Icon>
);
export const PinIcon = ({ size = 14 }: { size?: number }) => (
  <Icon size={size}>
    <path d="M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z" />
  </Icon>
);
export const HeartIcon = ({ filled }: { filled: boolean }) => (
  <Icon size={16}>
    <path
      d="M12 21s-7.5-4.6-9.5-9.4C1.2 8.3 3.3 4.5 7 4.5c2.1 0 3.6 1.1 5 3 1.4-1.9 2.9-3 5-3 3.7 0 5.8 3.8 4.5 7.1C19.5 16.4 12 21 12 21z"
      stroke="currentColor"
      strokeWidth="2"
      fill={filled ? 'currentColor' : 'none'}
    />
  </Icon>
);
