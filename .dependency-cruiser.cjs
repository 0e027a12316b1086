/**
 * The layer rules of the repository, checked by `npm run lint` (dependency-cruiser).
 * See CONTRIBUTING.md ("Layers") for why each rule exists.
 *
 * origin/src:   db  <-  core  <-  domains/<name>  <-  edges  <-  origin.ts, main.ts, demo/, client/
 * Arrows point down only; a domain never imports another domain (what two domains share moves to core).
 */
const path = require('node:path');

const TESTS = '(\\.test\\.ts$|/test-support/|/testing/|/fixtures/|/e2e/)';
const BROWSER = '^(origin/web/src|shared/src/(renderer|player|events|format|http|api)|studio/src/renderer/src|origin/src/client/(?!publish/))';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle makes start-up order and layering fragile. Move the shared part down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'db-is-the-bottom',
      severity: 'error',
      comment: 'origin/src/db knows nothing of the layers above it.',
      from: { path: '^origin/src/db/' },
      to: { path: '^origin/src/(core|domains|edges|client|demo)/' },
    },
    {
      name: 'core-imports-only-down',
      severity: 'error',
      comment: 'core is the bottom layer of the origin: it may use db and itself, never a domain or an edge.',
      from: { path: '^origin/src/core/', pathNot: TESTS },
      to: { path: '^origin/src/(domains|edges|client|demo|test-support)/|^origin/src/(origin|main|index)\\.ts$' },
    },
    {
      name: 'domains-import-only-down',
      severity: 'error',
      comment: 'A domain may use core and db, never an edge or the composition root.',
      from: { path: '^origin/src/domains/', pathNot: TESTS },
      to: { path: '^origin/src/(edges|client|demo)/|^origin/src/(origin|main|index)\\.ts$' },
    },
    {
      name: 'domains-stay-apart',
      severity: 'error',
      comment: "A domain never reaches into another domain's files; what two domains need moves down to core.",
      from: { path: '^origin/src/domains/([^/]+)/', pathNot: TESTS },
      to: { path: '^origin/src/domains/', pathNot: '^origin/src/domains/$1/' },
    },
    {
      name: 'edges-do-not-import-clients',
      severity: 'error',
      comment: 'Edges serve the API; the client and the demo seeder sit above them.',
      from: { path: '^origin/src/edges/', pathNot: TESTS },
      to: { path: '^origin/src/(client|demo)/|^origin/src/(origin|main|index)\\.ts$' },
    },
    {
      name: 'client-uses-only-types-of-the-server',
      severity: 'error',
      comment: 'The typed client imports the router type, never server code (it is bundled into browsers and the studio).',
      from: { path: '^origin/src/client/', pathNot: TESTS },
      to: { path: '^origin/src/(core|domains|edges|db)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'browser-code-is-not-node-code',
      severity: 'error',
      comment: 'Code that runs in a browser (player, web app, studio renderer, renderer) cannot import Node built-ins or Node-only modules.',
      from: { path: BROWSER, pathNot: TESTS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'browser-code-does-not-import-node-only-modules',
      severity: 'error',
      comment: 'The media engine, the tracker server, the studio engine and the origin server are Node-only.',
      from: { path: BROWSER, pathNot: TESTS },
      to: {
        path: '^(shared/src/media/|tracker/src/(server|transport|cluster|ops)/|studio/src/(engine|main|cli)/|origin/src/(core|domains|edges|db)/)',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'shared-is-below-every-package',
      severity: 'error',
      comment: 'shared/ is used by every package and imports none of them.',
      from: { path: '^shared/src/', pathNot: TESTS },
      to: { path: '^(origin|studio|tracker)/' },
    },
    {
      name: 'tracker-stands-alone',
      severity: 'error',
      comment: 'The tracker runs without the origin or the studio.',
      from: { path: '^tracker/src/' },
      to: { path: '^(origin|studio)/' },
    },
    {
      name: 'origin-does-not-import-the-studio',
      severity: 'error',
      from: { path: '^origin/' },
      to: { path: '^studio/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|dist-types|out|generated|\\.scratch)/|^scripts/layer-rules/fixture/' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.depcruise.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
