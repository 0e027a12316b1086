/** Deterministic pseudo-random catalog rows for the search benchmark (same data every run). */

const PLACES: Array<[string, number, number]> = [
  ['Lisbon', 38.72, -9.14],
  ['Porto', 41.15, -8.61],
  ['Reykjavik', 64.15, -21.94],
  ['Kyoto', 35.01, 135.77],
  ['Cape Town', -33.92, 18.42],
  ['Patagonia', -50.94, -73.41],
  ['Banff', 51.18, -115.57],
  ['Santorini', 36.39, 25.46],
  ['Marrakesh', 31.63, -7.99],
  ['Queenstown', -45.03, 168.66],
  ['Zermatt', 46.02, 7.75],
  ['Hallstatt', 47.56, 13.65],
  ['Bali', -8.34, 115.09],
  ['Havana', 23.11, -82.37],
  ['Petra', 30.33, 35.44],
  ['Yosemite', 37.87, -119.54],
  ['Dubrovnik', 42.65, 18.09],
  ['Lofoten', 68.21, 13.6],
  ['Machu Picchu', -13.16, -72.54],
  ['Nazaré', 39.6, -9.07],
];
const ACTIVITIES = [
  'surfing',
  'skiing',
  'hiking',
  'diving',
  'paragliding',
  'kayaking',
  'climbing',
  'cycling',
  'sailing',
  'skydiving',
  'snowboarding',
  'running',
];
const SUBJECTS = [
  'sunrise',
  'sunset',
  'northern lights',
  'storm',
  'waterfall',
  'glacier',
  'festival',
  'concert',
  'street market',
  'night skyline',
  'coral reef',
  'volcano',
  'desert dunes',
  'rainforest',
  'harbour',
  'old town',
  'cathedral',
  'tram ride',
  'train journey',
  'wildlife',
];
const ADJECTIVES = [
  'breathtaking',
  'calm',
  'epic',
  'misty',
  'golden',
  'frozen',
  'vibrant',
  'quiet',
  'wild',
  'ancient',
  'hidden',
  'crowded',
  'endless',
  'stormy',
];
const GENRES = ['travel', 'sport', 'nature', 'music', 'documentary', 'city', 'adventure', 'education'];
const TAGS = [
  '4k',
  '8k',
  'drone',
  'timelapse',
  'underwater',
  'aerial',
  'night',
  'winter',
  'summer',
  'ocean',
  'mountains',
  'city',
  'wildlife',
  'festival',
  'relaxing',
  'vr180',
  'stereo',
  'ambisonic',
  'slow motion',
  'hyperlapse',
];

/** Mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedContent {
  title: string;
  description: string;
  tags: string[];
  genre: string;
  place: [string, number, number] | null;
  popularity: number;
  daysAgo: number;
  projection: string;
}

export function generateContent(random: () => number): GeneratedContent {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const place = pick(PLACES);
  const activity = pick(ACTIVITIES);
  const subject = pick(SUBJECTS);
  const shapes = [
    `${pick(ADJECTIVES)} ${subject} in ${place[0]}`,
    `${activity} ${place[0]} in 360°`,
    `${place[0]}: ${pick(ADJECTIVES)} ${activity} at ${subject}`,
    `VR ${subject} over ${place[0]}`,
  ];
  const tags = new Set<string>([activity]);
  while (tags.size < 2 + Math.floor(random() * 4)) tags.add(pick(TAGS));
  const located = random() < 0.6;
  const jitter = () => (random() - 0.5) * 0.6;
  return {
    title: pick(shapes),
    description: `A ${pick(ADJECTIVES)} 360° film: ${activity} and ${pick(SUBJECTS)} near ${place[0]}. Shot on a ${pick(['8K', '6K', '5.7K'])} camera, ${pick(['mono', 'stereo'])}.`,
    tags: [...tags],
    genre: pick(GENRES),
    place: located ? [place[0], place[1] + jitter(), place[2] + jitter()] : null,
    // Long-tailed popularity, like real catalogs.
    popularity: Math.floor(Math.pow(random(), 4) * 5000),
    daysAgo: random() * 700,
    projection: random() < 0.8 ? 'equirectangular-mono' : 'stereo-top-bottom',
  };
}

export const QUERY_WORDS = [
  ...ACTIVITIES,
  ...PLACES.map((p) => p[0].toLowerCase()),
  'sunrise',
  'glacier',
  'festival',
  'storm',
  'coral',
  'misty',
  'golden',
  'northern lights',
];
export const QUERY_TAGS = TAGS;
export const QUERY_GENRES = GENRES;
export const QUERY_PLACES = PLACES;
