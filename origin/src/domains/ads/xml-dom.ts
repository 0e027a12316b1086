import { createRequire } from 'node:module';

/**
 * @xmldom/xmldom's DOMParser, for VAST documents (the VAST client reads a DOM). Loaded untyped on
 * purpose: its type declarations reference the browser's DOM library, which would bring the browser's
 * `fetch`, `Response` and stream types into the whole origin's compilation in place of Node's.
 */
interface XmlDomParser {
  parseFromString(source: string, mimeType: string): unknown;
}
interface XmlDomParserOptions {
  errorHandler?: { warning?: (message: string) => void; error?: (message: string) => void; fatalError?: (message: string) => void };
}

const xmldom = createRequire(import.meta.url)('@xmldom/xmldom') as { DOMParser: new (options?: XmlDomParserOptions) => XmlDomParser };

export const DOMParser = xmldom.DOMParser;
