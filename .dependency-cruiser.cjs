/**
 * Import walls (docs/architecture.md, "Folders and import walls").
 * Run: npm run lint:walls  (tests/integration/import-walls.test.ts runs it too).
 *
 * Two kinds of rules:
 *   - process walls, written by hand: what common/, drivers/, main/, preload/ and renderer/ may
 *     reach across processes (electron, node built-ins, each other);
 *   - folder walls inside main/, generated from `folderMap` below, one rule per folder, named
 *     `<folder with dashes>-allowed-imports`. The table in docs/architecture.md is this map, and the
 *     walls test checks that the two agree.
 * Plus: no import cycles (type-only imports count), production files never import test support,
 * main/ reaches drivers only through their ports, views reach the API only through stores.
 *
 * Paths are relative to the directory depcruise runs in. Packages are matched on
 * "node_modules/<name>/" anywhere in the resolved path, and unresolved bare names on the name itself,
 * so the rules hold whether a package is installed or not. Unit tests (*.test.ts) and test support
 * (any `testing/` folder, `drivers/testing.ts`) may use test tooling and twins, but never cross a
 * process wall.
 */
const TEST = '\\.test\\.ts$';
const TESTING = '(^|/)testing/';
const DRIVERS_TESTING = '^drivers/testing\\.ts$';
const ELECTRON = ['(^|/)node_modules/electron/', '^electron(/|$)'];

/**
 * Parts of another folder that a folder may be allowed to import, by name. `drivers ports` are the
 * only doors of drivers/ for production code (which files exactly: rule main-drivers-through-ports);
 * `remotes ports` are what services see of main/remotes (never its HTTP clients or simulators).
 */
const PORTS = {
  'drivers ports': ['^drivers/index\\.ts$', '^drivers/.+\\.port\\.ts$', '^drivers/device-error\\.ts$'],
  'remotes ports': [
    '^main/remotes/.+\\.port\\.ts$',
    '^main/remotes/wire-[^/]+\\.ts$',
    '^main/remotes/.*/wire-[^/]+\\.ts$',
    '^main/remotes/remote-error\\.ts$',
  ],
};

const MAIN_BUT_SHELL_AND_CLI = [
  'main/kernel',
  'main/store',
  'main/remotes',
  'main/forms',
  'main/admin',
  'main/queue',
  'main/signing',
  'main/digitise',
  'main/intake',
  'main/sync',
  'main/returns',
  'main/centre',
];

/**
 * The folders of main/: what each holds and what its production files (not *.test.ts, not in a
 * testing/ folder) may import besides their own folder, common/, zod, node built-ins and npm
 * packages. Entries are folders of main/ or names from PORTS.
 */
const folderMap = {
  'main/kernel': {
    holds:
      'shared kernel: clock (`Clock`), logger (`Logger` and the one masking of personal numbers and secrets), resources folder (resources, fonts and form templates dirs, package version), event publisher port, private file modes, the bounded message of an error; node built-ins only, no npm package',
    mayImport: [],
  },
  'main/store': {
    holds:
      'better-sqlite3 store: migrations, repositories (outbox types included, reference-data lookups such as `effectiveProcedure`), FTS search, blob store, audit chain, keys',
    mayImport: ['main/kernel'],
  },
  'main/remotes': {
    holds: 'national portal and provincial system: ports, wire format, HTTP clients, simulators',
    mayImport: ['main/kernel'],
  },
  'main/forms': {
    holds: 'PDF toolkit (fonts, writer) and forms 1-4',
    mayImport: ['main/kernel'],
  },
  'main/admin': {
    holds: 'accounts service',
    mayImport: ['main/kernel', 'main/store'],
  },
  'main/queue': {
    holds: 'queue service and its config',
    mayImport: ['main/kernel', 'main/store', 'drivers ports'],
  },
  'main/signing': {
    holds: 'PAdES library, batch signing, signing setup and config',
    mayImport: ['main/kernel', 'main/store', 'drivers ports'],
  },
  'main/digitise': {
    holds: 'pipeline stages, OCR pool, searchable PDF, the digitisation station',
    mayImport: ['main/kernel', 'main/store', 'main/forms', 'remotes ports', 'drivers ports'],
  },
  'main/intake': {
    holds: 'applicant, dossier codes, receipts and forms of a dossier, intake service, working time',
    mayImport: ['main/kernel', 'main/store', 'main/forms', 'remotes ports', 'drivers ports'],
  },
  'main/sync': {
    holds: 'outbox sender, circuit breaker, status puller, reference puller, sync service',
    mayImport: ['main/kernel', 'main/store', 'remotes ports'],
  },
  'main/returns': {
    holds: 'result intake, returns service, national rows',
    mayImport: [
      'main/kernel',
      'main/store',
      'main/forms',
      'remotes ports',
      'drivers ports',
      'main/intake',
      'main/sync',
    ],
  },
  'main/centre': {
    holds:
      "the centre service: PostgreSQL foundation and migrations, CA and enrolled devices, the shared queue and its feed, dossier number leases, the desks' replicated day, HTTPS server, centre config and composition root",
    mayImport: ['main/kernel', 'main/queue', 'remotes ports', 'drivers ports'],
  },
  'main/core': {
    holds: 'composition root, remotes setup, upkeep, event hub, config, RPC server, handlers, browser server, sessions',
    mayImport: [...MAIN_BUT_SHELL_AND_CLI, 'drivers ports'],
  },
  'main/cli': {
    holds: '`motcua-desk` command line',
    mayImport: [...MAIN_BUT_SHELL_AND_CLI, 'main/core', 'drivers ports'],
  },
  'main/shell': {
    holds: 'Electron main: windows, hardening, starting the core host (electron allowed here only)',
    mayImport: [],
  },
};

/** The path patterns one entry of a `mayImport` list lets through. */
function allowedPaths(entry) {
  if (entry === 'drivers ports') return ['^drivers/']; // which files: main-drivers-through-ports
  if (entry in PORTS) return PORTS[entry];
  if (entry in folderMap) return [`^${entry}/`];
  throw new Error(`.dependency-cruiser.cjs: "${entry}" is neither a folder of the map nor a port group`);
}

const folderRules = Object.entries(folderMap).map(([folder, { holds, mayImport }]) => ({
  name: `${folder.replace(/\//g, '-')}-allowed-imports`,
  comment: `${folder} (${holds}) may import only: itself, common/${mayImport.length ? `, ${mayImport.join(', ')}` : ''}.`,
  severity: 'error',
  from: { path: `^${folder}/`, pathNot: [TEST, TESTING] },
  to: { path: '^(main|drivers)/', pathNot: [`^${folder}/`, ...mayImport.flatMap(allowedPaths)] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // common: environment-free, used by every process.
    {
      name: 'common-only-common-and-zod',
      comment: 'common/ may import only common/ and zod: no node:*, no electron, no DOM, no other folder.',
      severity: 'error',
      from: { path: '^common/', pathNot: TEST },
      to: { pathNot: ['^common/', '(^|/)node_modules/zod/', '^zod(/|$)'] },
    },
    {
      name: 'common-tests-stay-in-common',
      comment: 'Tests beside common/ code may use test tooling, but no other app folder.',
      severity: 'error',
      from: { path: `^common/.*${TEST}` },
      to: { path: ['^(main|drivers|preload|renderer)/', ...ELECTRON] },
    },

    // drivers: devices, in the core host.
    {
      name: 'drivers-not-to-electron',
      comment: 'Drivers run in the core host, which imports nothing from Electron.',
      severity: 'error',
      from: { path: '^drivers/' },
      to: { path: ELECTRON },
    },
    {
      name: 'drivers-not-to-main-preload-renderer',
      comment: 'Drivers depend on common and device libraries only.',
      severity: 'error',
      from: { path: '^drivers/' },
      to: { path: '^(main|preload|renderer)/' },
    },

    // main: the core host (all of main/ except main/shell/).
    {
      name: 'main-not-to-electron',
      comment: 'Only main/shell/ (and preload) import electron; the core host is plain Node, its tests too.',
      severity: 'error',
      from: { path: '^main/', pathNot: '^main/shell/' },
      to: { path: ELECTRON },
    },
    {
      name: 'main-not-to-renderer-preload',
      comment: 'Nothing in main/ (shell and tests included) imports the renderer or the preload.',
      severity: 'error',
      from: { path: '^main/' },
      to: { path: '^(renderer|preload)/' },
    },
    {
      name: 'main-drivers-through-ports',
      comment:
        'Production code in main/ sees drivers only through drivers/index.ts (createDrivers and plain ' +
        'helpers), the *.port.ts types and drivers/device-error.ts. (drivers/testing.ts: see ' +
        'production-not-to-testing; main/shell: see main-shell-allowed-imports.)',
      severity: 'error',
      from: { path: '^main/', pathNot: ['^main/shell/', TEST, TESTING] },
      to: {
        path: '^drivers/',
        pathNot: [...PORTS['drivers ports'], DRIVERS_TESTING],
      },
    },
    {
      name: 'main-tests-drivers-through-testing-entry',
      comment:
        'Tests and test support in main/ get twins, real adapters and device stand-ins from ' +
        'drivers/testing.ts, everything else through the ports, never from a driver file directly.',
      severity: 'error',
      from: { path: [`^main/.*${TEST}`, '^main/testing/', '^main/.*/testing/'] },
      to: { path: '^drivers/', pathNot: [...PORTS['drivers ports'], DRIVERS_TESTING] },
    },

    // The folders inside main/ (folderMap).
    ...folderRules,
    {
      name: 'main-kernel-node-only',
      comment: 'The shared kernel stands on node built-ins and common/ alone: no npm package.',
      severity: 'error',
      from: { path: '^main/kernel/', pathNot: [TEST, TESTING] },
      to: {
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-optional',
          'npm-peer',
          'npm-bundled',
          'npm-no-pkg',
          'npm-unknown',
          'unknown',
        ],
      },
    },

    // preload: contextBridge only.
    {
      name: 'preload-not-to-node-builtins',
      comment: 'A sandboxed preload has no Node: only electron renderer APIs and common/.',
      severity: 'error',
      from: { path: '^preload/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'preload-not-to-main-drivers-renderer',
      comment: 'The preload exposes the contract (common/); it never reaches into other processes.',
      severity: 'error',
      from: { path: '^preload/' },
      to: { path: '^(main|drivers|renderer)/' },
    },

    // renderer: the sandboxed UI.
    {
      name: 'renderer-not-to-electron',
      comment: 'The renderer talks to the core only through window.motcua (renderer/src/api).',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ELECTRON },
    },
    {
      name: 'renderer-not-to-node-builtins',
      comment: 'The renderer runs in a browser sandbox: no node:* (its unit tests and vite config may use them).',
      severity: 'error',
      from: { path: '^renderer/', pathNot: [TEST, '^renderer/vite\\.config\\.ts$'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-not-to-main-drivers-preload',
      comment: 'The renderer imports common/ and its own code only.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(main|drivers|preload)/' },
    },
    {
      name: 'renderer-views-through-stores',
      comment:
        'Views and components never call the API: stores (and composables, the router, App.vue, ' +
        'main.ts) do, and views use the stores.',
      severity: 'error',
      from: { path: '^renderer/src/(views|components)/', pathNot: TEST },
      to: { path: '^renderer/src/api/' },
    },

    // Everywhere.
    {
      name: 'no-circular',
      comment:
        'No import cycles, type-only imports included: a cycle means a type or a function is in the wrong folder.',
      severity: 'error',
      from: { path: '^(common|main|drivers|preload|renderer/src)/' },
      to: { circular: true },
    },
    {
      name: 'production-not-to-testing',
      comment: 'Production files never import test support: a testing/ folder or drivers/testing.ts.',
      severity: 'error',
      from: { path: '^(common|main|drivers|preload|renderer)/', pathNot: [TEST, TESTING, DRIVERS_TESTING] },
      to: { path: [TESTING, DRIVERS_TESTING] },
    },
  ],
  options: {
    // Packages are not cruised into, but stay in the graph as targets. Do not add node_modules to
    // `exclude`: excluded modules vanish as targets too, and the zod/electron rules would never fire.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(out|dist|release)/' },
    moduleSystems: ['es6', 'cjs'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

/** The map, for the walls test (it checks docs/architecture.md against it). */
Object.defineProperty(module.exports, 'folderMap', { value: folderMap, enumerable: false });
Object.defineProperty(module.exports, 'portGroups', { value: PORTS, enumerable: false });
