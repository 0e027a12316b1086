// Destinations where other pages show them: search results, the places map, the watch page.
import { api } from '../api/client.ts';
import { Link, navigate } from '../router.tsx';
import { PinIcon } from '../ui/icons.tsx';
import { ShareButton } from '../ui/share-button.tsx';
import { useAsync } from '../ui/use-async.ts';
import { DestinationCard } from './destination-card.tsx';

/** Destinations matching the search page's words, shown above the content results. */
export function DestinationResults({ q }: { q: string | null }) {
  const state = useAsync(async () => (q?.trim() ? (await api.destinations.search.query({ q: q.trim(), limit: 6 })).items : []), [q]);
  const items = state.data ?? [];
  if (items.length === 0) return null;
  return (
    <section className="shelf" aria-label="Destinations">
      <header className="shelf-header">
        <h2>Destinations</h2>
        <Link to="/destinations">All destinations</Link>
      </header>
      <div className="grid">
        {items.map((destination) => (
          <DestinationCard key={destination.id} destination={destination} />
        ))}
      </div>
    </section>
  );
}

/** Every destination on the map (up to the search limit), for the places page. */
function useMapDestinations() {
  return useAsync(async () => (await api.destinations.search.query({ near: '0,0', limit: 100 })).items, []).data ?? [];
}

/** Destination pins for the places page's world plot (720 x 360, equirectangular). */
export function DestinationMapPins() {
  const items = useMapDestinations();
  return (
    <g data-testid="destination-pins">
      {items.map((d) => (
        <rect
          key={d.id}
          x={((d.longitude + 180) / 360) * 720 - 5}
          y={((90 - d.latitude) / 180) * 360 - 5}
          width={10}
          height={10}
          transform={`rotate(45 ${((d.longitude + 180) / 360) * 720} ${((90 - d.latitude) / 180) * 360})`}
          className="world-destination"
          onClick={() => navigate(`/destinations/${d.id}`)}
        >
          <title>{`${d.name}, ${d.country}`}</title>
        </rect>
      ))}
    </g>
  );
}

/** The destinations as links (the map is a picture), for the places page. */
export function DestinationsShelf() {
  const items = useMapDestinations();
  if (items.length === 0) return null;
  return (
    <section className="shelf" aria-label="Destinations">
      <header className="shelf-header">
        <h2>Destinations</h2>
        <Link to="/destinations">Recommended for you</Link>
      </header>
      <div className="grid">
        {items.map((destination) => (
          <DestinationCard key={destination.id} destination={destination} />
        ))}
      </div>
    </section>
  );
}

/** Under a video's title: share this moment, and the destinations it is at. */
export function WatchShareBar({ content }: { content: { id: string; title: string } }) {
  const places = useAsync(async () => (await api.destinations.ofContent.query({ id: content.id })).items, [content.id]);
  return (
    <div className="destination-actions">
      <ShareButton path={`/watch/${content.id}`} title={content.title} momentKey={`content:${content.id}`} />
      {places.data && places.data.length > 0 ? (
        <span className="content-places">
          <span className="muted">At</span>
          {places.data.map((place) => (
            <Link key={place.id} to={`/destinations/${place.id}`}>
              <PinIcon /> {place.name}
            </Link>
          ))}
        </span>
      ) : null}
    </div>
  );
}
