/** A campaign schedule that runs now: from a minute ago to an hour from now (ISO dates, as the API takes them). */
export function runningNow(): { startsAt: string; endsAt: string } {
  return { startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString() };
}
