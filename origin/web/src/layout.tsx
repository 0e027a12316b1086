import { useState, type FormEvent, type ReactNode } from 'react';
import { AnnouncementBanner } from './announcements/announcements.tsx';
import { AlertBanner } from './realtime/alert-banner.tsx';
import { useSession } from './auth/session.tsx';
import { Link, navigate, useLocationHref } from './router.tsx';

function SearchBox() {
  const href = useLocationHref();
  const current = new URL(href, location.origin);
  const [q, setQ] = useState(current.pathname === '/search' ? (current.searchParams.get('q') ?? '') : '');
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const params = new URLSearchParams(current.pathname === '/search' ? current.search : '');
    if (q.trim()) params.set('q', q.trim());
    else params.delete('q');
    params.delete('cursor');
    navigate(`/search?${params}`);
  };
  return (
    <form className="search-box" role="search" onSubmit={submit}>
      <input type="search" name="q" placeholder="Search 360° videos and photos" aria-label="Search" value={q} onChange={(e) => setQ(e.target.value)} />
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}

function AccountMenu() {
  const { me, signOut } = useSession();
  const href = useLocationHref();
  if (me === undefined) return <span className="account muted">…</span>;
  if (me === null) {
    const next = encodeURIComponent(href);
    return (
      <span className="account">
        <Link to={`/signin?next=${next}`} className="button button-ghost">
          Sign in
        </Link>
        <Link to={`/register?next=${next}`} className="button">
          Register
        </Link>
      </span>
    );
  }
  return (
    <span className="account">
      <Link to={`/u/${encodeURIComponent(me.username)}`} className="account-name" title="Your profile">
        <Avatar name={me.displayName} url={me.avatarUrl} />
        <span>{me.displayName}</span>
      </Link>
      {me.role === 'admin' ? (
        <Link to="/admin" className="button button-ghost">
          Operations
        </Link>
      ) : null}
      <button type="button" className="button button-ghost" onClick={() => void signOut().then(() => navigate('/'))}>
        Sign out
      </button>
    </span>
  );
}

export function Avatar({ name, url, size = 28 }: { name: string; url: string | null; size?: number }) {
  if (url) return <img className="avatar" src={url} alt="" width={size} height={size} />;
  const initials = name.trim().slice(0, 1).toUpperCase() || '?';
  return (
    <span className="avatar avatar-initials" style={{ width: size, height: size, fontSize: size * 0.45 }} aria-hidden="true">
      {initials}
    </span>
  );
}

export function Layout({ children, wide }: { children: ReactNode; wide: boolean }) {
  const { me } = useSession();
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Spherecast home">
          <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
            <circle cx="16" cy="16" r="13" fill="none" stroke="currentColor" strokeWidth="2.5" />
            <ellipse cx="16" cy="16" rx="5.5" ry="13" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="M3 16h26" stroke="currentColor" strokeWidth="2" />
          </svg>
          <span>Spherecast</span>
        </Link>
        <nav className="nav" aria-label="Main">
          <Link to="/">Home</Link>
          <Link to="/search?sort=popular">Browse</Link>
          <Link to="/places">Places</Link>
          <Link to="/destinations">Destinations</Link>
          {me ? <Link to="/history">History</Link> : null}
          {me ? <Link to="/likes">Likes</Link> : null}
          {me && me.role !== 'viewer' && me.role !== 'advertiser' ? <Link to="/upload">Upload</Link> : null}
          {me && (me.role === 'advertiser' || me.role === 'admin') ? <Link to="/ads">Ads</Link> : null}
        </nav>
        <SearchBox />
        <AccountMenu />
      </header>
      <main className={wide ? 'main main-wide' : 'main'}>
        <AlertBanner />
        <AnnouncementBanner />
        {children}
      </main>
      <footer className="footer muted">Spherecast — 360° video, shared between viewers.</footer>
    </div>
  );
}
