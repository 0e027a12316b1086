import { api } from '../api/client.ts';
import { Link, navigate } from '../router.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import { ContentCard } from './content-card.tsx';
import { PinIcon } from '../ui/icons.tsx';
import type { ReactNode } from 'react';
import { DestinationMapPins, DestinationsShelf } from '../destinations/destination-widgets.tsx';

type Located = { id: string; latitude: number; longitude: number; title: string; placeName: string };

/** An equirectangular world "map": longitude and latitude plotted on a grid (no tiles, works offline). */
function WorldPlot({ points, focus, children }: { points: Located[]; focus: string | null; children?: ReactNode }) {
  const x = (lon: number): number => ((lon + 180) / 360) * 720;
  const y = (lat: number): number => ((90 - lat) / 180) * 360;
  return (
    // A picture (role img, named with the places it shows), not a container of links: the places and
    // their videos are listed as links below it, and a pin is only a pointer shortcut to the same page.
    <svg
      className="world"
      viewBox="0 0 720 360"
      role="img"
      aria-label={`Map of where the content was filmed: ${[...new Set(points.map((p) => p.placeName))].join(', ')}`}
    >
      <rect width="720" height="360" className="world-sea" />
      {[-60, -30, 0, 30, 60].map((lat) => (
        <line key={`lat${lat}`} x1="0" x2="720" y1={y(lat)} y2={y(lat)} className={lat === 0 ? 'world-equator' : 'world-grid'} />
      ))}
      {[-120, -60, 0, 60, 120].map((lon) => (
        <line key={`lon${lon}`} y1="0" y2="360" x1={x(lon)} x2={x(lon)} className="world-grid" />
      ))}
      {points.map((p) => (
        <circle
          key={p.id}
          cx={x(p.longitude)}
          cy={y(p.latitude)}
          r={p.id === focus ? 7 : 4.5}
          className={p.id === focus ? 'world-pin world-pin-focus' : 'world-pin'}
          onClick={() => navigate(`/watch/${p.id}`)}
        >
          <title>{`${p.title} — ${p.placeName}`}</title>
        </circle>
      ))}
      {children}
    </svg>
  );
}

export function PlacesPage() {
  // Content with a location: search sorted by distance from (0,0) over the whole globe returns exactly those.
  const state = useAsync(async () => (await api.search.query({ near: '0,0', radiusKm: 20_037, limit: 100 })).items, []);
  const focus = new URLSearchParams(location.search).get('focus');
  if (state.status === 'error' && !state.data) return <ErrorState error={state.error} onRetry={state.reload} />;
  if (!state.data) return <Spinner />;
  const located = state.data.filter((c) => c.location !== null);
  const byPlace = new Map<string, typeof located>();
  for (const c of located) {
    const place = c.location?.placeName ?? '';
    byPlace.set(place, [...(byPlace.get(place) ?? []), c]);
  }
  return (
    <div className="places">
      <h1>Places</h1>
      <DestinationsShelf />
      {located.length === 0 ? (
        <EmptyState title="No located content yet">Creators can add where a video was filmed when they publish it.</EmptyState>
      ) : (
        <>
          <WorldPlot
            focus={focus}
            points={located.map((c) => ({
              id: c.id,
              title: c.title,
              placeName: c.location?.placeName ?? '',
              latitude: c.location?.latitude ?? 0,
              longitude: c.location?.longitude ?? 0,
            }))}
          >
            <DestinationMapPins />
          </WorldPlot>
          {[...byPlace.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([place, items]) => (
              <section key={place} className="shelf">
                <header className="shelf-header">
                  <h2>
                    <PinIcon size={18} /> {place}
                  </h2>
                  {items[0]?.location ? <Link to={`/search?near=${items[0].location.latitude},${items[0].location.longitude}`}>Nearby</Link> : null}
                </header>
                <div className="grid">
                  {items.map((c) => (
                    <ContentCard key={c.id} content={c} />
                  ))}
                </div>
              </section>
            ))}
        </>
      )}
    </div>
  );
}
