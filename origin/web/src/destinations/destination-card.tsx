import type { DestinationSummary } from '@spherecast/shared';
import { Link } from '../router.tsx';
import { PinIcon } from '../ui/icons.tsx';

/** A destination in a grid: cover, name and country, rating, and an optional note (reason, distance). */
export function DestinationCard({ destination, note }: { destination: DestinationSummary; note?: string }) {
  return (
    <article className="card destination-card">
      <Link to={`/destinations/${destination.id}`} className="card-poster">
        {destination.coverUrl ? (
          <img src={destination.coverUrl} alt="" width={640} height={320} loading="lazy" decoding="async" />
        ) : (
          <span className="card-poster-fallback" aria-hidden="true" />
        )}
        <span className="visually-hidden">Visit {destination.name}</span>
        <span className="badge badge-corner">Destination</span>
      </Link>
      <div className="card-body">
        <h3 className="card-title">
          <Link to={`/destinations/${destination.id}`}>{destination.name}</Link>
        </h3>
        <p className="card-meta muted">
          <PinIcon /> {destination.country}
          {destination.ratingAverage !== null ? ` · ★ ${destination.ratingAverage.toFixed(1)} (${destination.ratingCount})` : ''}
        </p>
        {note ? <p className="card-note">{note}</p> : null}
      </div>
    </article>
  );
}
