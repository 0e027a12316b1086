import { parseSharedView, tourScenesSchema, withSharedView } from '@spherecast/shared';
import type { FastifyRequest } from 'fastify';
import { VIEWABLE_STATUSES } from '../core/content-view.ts';
import { MediaLinks } from '../core/media-links.ts';
import type { OriginServices } from '../core/services.ts';

/**
 * Link previews (#15): Open Graph and Twitter card tags for the shareable pages (`/watch/{id}`,
 * `/destinations/{id}`, `/tours/{id}`), written into the app's HTML by the origin, because crawlers (chat apps,
 * social networks) do not run the app's JavaScript. Only what anyone may see gets a preview: private
 * and unlisted content, content not published yet and unknown ids get the plain page, so a preview
 * never reveals a title or poster that its link alone would not show.
 */
export interface LinkPreview {
  title: string;
  description: string;
  /** Absolute URL of the page (with the shared moment and direction, when the link had them). */
  url: string;
  /** Absolute URL of the poster or cover, or null. */
  image: string | null;
  type: 'video.other' | 'website';
}

const DESCRIPTION_MAX = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Escapes text for an HTML attribute value or text node. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > DESCRIPTION_MAX ? `${flat.slice(0, DESCRIPTION_MAX - 1)}…` : flat;
}

/** The preview of the page at `pathname`, or null when it has none (not a shareable page, or not public). */
export async function linkPreviewFor(services: OriginServices, baseUrl: string, pathname: string, search: string): Promise<LinkPreview | null> {
  const [, section, id, ...rest] = pathname.split('/');
  if (rest.length > 0 || !id || !UUID.test(id)) return null;
  const links = new MediaLinks(baseUrl, services.mediaSigner);
  if (section === 'watch') {
    const content = await services.prisma.content.findUnique({
      where: { id },
      select: { title: true, description: true, placeName: true, visibility: true, status: true, publishedPath: true, posterFile: true, mediaEpoch: true },
    });
    if (!content || content.visibility !== 'public' || !(VIEWABLE_STATUSES as readonly string[]).includes(content.status)) return null;
    const fallback = content.placeName ? `A 360° video at ${content.placeName} on Spherecast.` : 'A 360° video on Spherecast.';
    return {
      title: content.title,
      description: shorten(content.description) || fallback,
      url: withSharedView(`${baseUrl}/watch/${id}`, parseSharedView(search)),
      image: links.url(content.publishedPath, content.posterFile, content),
      type: 'video.other',
    };
  }
  if (section === 'tours') {
    const tour = await services.prisma.tour.findUnique({
      where: { id },
      select: { title: true, description: true, status: true, visibility: true, scenes: true },
    });
    if (!tour || tour.status !== 'published' || tour.visibility !== 'public') return null;
    // The first scene's poster, when that content is public too.
    const first = tourScenesSchema.safeParse(tour.scenes).data?.[0];
    const content = first
      ? await services.prisma.content.findUnique({
          where: { id: first.contentId },
          select: { visibility: true, status: true, publishedPath: true, posterFile: true, mediaEpoch: true },
        })
      : null;
    const visible = content && content.visibility === 'public' && (VIEWABLE_STATUSES as readonly string[]).includes(content.status);
    return {
      title: tour.title,
      description: shorten(tour.description) || 'A 360° tour on Spherecast.',
      url: `${baseUrl}/tours/${id}`,
      image: visible ? links.url(content.publishedPath, content.posterFile, content) : null,
      type: 'website',
    };
  }
  if (section === 'destinations') {
    const destination = await services.prisma.destination.findUnique({
      where: { id },
      select: {
        name: true,
        country: true,
        description: true,
        coverContent: { select: { visibility: true, status: true, publishedPath: true, posterFile: true, mediaEpoch: true } },
      },
    });
    if (!destination) return null;
    const cover = destination.coverContent;
    const coverVisible = cover && cover.visibility === 'public' && (VIEWABLE_STATUSES as readonly string[]).includes(cover.status);
    return {
      title: `${destination.name}, ${destination.country}`,
      description: shorten(destination.description) || `360° videos and tours of ${destination.name} on Spherecast.`,
      url: `${baseUrl}/destinations/${id}`,
      image: coverVisible ? links.url(cover.publishedPath, cover.posterFile, cover) : null,
      type: 'website',
    };
  }
  return null;
}

/** The tags, every value escaped. */
export function linkPreviewTags(preview: LinkPreview): string {
  const tags: Array<[string, string, string]> = [
    ['property', 'og:site_name', 'Spherecast'],
    ['property', 'og:type', preview.type],
    ['property', 'og:title', preview.title],
    ['property', 'og:description', preview.description],
    ['property', 'og:url', preview.url],
    ['name', 'twitter:card', preview.image ? 'summary_large_image' : 'summary'],
    ['name', 'twitter:title', preview.title],
    ['name', 'twitter:description', preview.description],
  ];
  if (preview.image) {
    tags.push(['property', 'og:image', preview.image], ['name', 'twitter:image', preview.image]);
  }
  const meta = tags.map(([attribute, name, value]) => `<meta ${attribute}="${name}" content="${escapeHtml(value)}" />`);
  return [...meta, `<link rel="canonical" href="${escapeHtml(preview.url)}" />`].join('\n    ');
}

/** The app's HTML with the page's title, description and preview tags in its head. */
export function withLinkPreview(html: string, preview: LinkPreview): string {
  const title = `${preview.title} · Spherecast`;
  let page = html.replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(title)}</title>`);
  const description = `<meta name="description" content="${escapeHtml(preview.description)}" />`;
  const ownDescription = /<meta name="description" content="[^"]*"\s*\/?>/;
  // A page without a description of its own (the not-built placeholder) gets one with the other tags.
  const tags = ownDescription.test(page) ? linkPreviewTags(preview) : `${description}\n    ${linkPreviewTags(preview)}`;
  page = page.replace(ownDescription, () => description);
  if (page.includes('</head>')) return page.replace('</head>', () => `  ${tags}\n  </head>`);
  // A page without a head element (the not-built placeholder): the tags go right after the doctype.
  const doctype = /^<!doctype html>/i.exec(page);
  return doctype ? `${doctype[0]}\n${tags}${page.slice(doctype[0].length)}` : `${tags}\n${page}`;
}

/** The request's page with its link preview, or null when the page has none. */
export async function appPageWithPreview(services: OriginServices, request: FastifyRequest, html: () => Promise<string>): Promise<string | null> {
  const url = new URL(request.url, 'http://origin');
  const baseUrl = `${request.protocol}://${request.headers.host ?? `${services.config.host}:${services.config.port}`}`;
  const preview = await linkPreviewFor(services, baseUrl, url.pathname, url.search);
  return preview ? withLinkPreview(await html(), preview) : null;
}
