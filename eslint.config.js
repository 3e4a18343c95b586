// The house rules that a machine can check (docs/ARCHITECTURE.md): the stage order, and a few correctness rules.
// Kept small on purpose: style is Prettier's job, and a rule that rewrites everyone's code is not worth its churn.
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// Stages in import order: each may import the ones before it, never one after it.
// db comes before ingest because ingest writes into the store; the store knows nothing of who fills it.
const STAGES = [
  ["lib", ["app/lib", "app/types"]],
  ["db", ["app/db"]],
  ["ingest", ["app/ingest"]],
  ["analytics", ["app/analytics"]],
  ["segments", ["app/segments"]],
  ["experiments", ["app/experiments"]],
  ["planning", ["app/planning"]],
  ["derive", ["app/derive"]],
  ["components", ["app/components"]],
  ["routes", ["app/routes", "app/root.tsx", "app/entry.client.tsx", "app/entry.server.tsx"]],
];

const later = (i) => STAGES.slice(i + 1).flatMap(([, dirs]) => dirs);
const stageZones = STAGES.flatMap(([name, dirs], i) =>
  i === STAGES.length - 1
    ? []
    : dirs.map((target) => ({
        target,
        from: later(i),
        message: `${name} is an earlier stage: it must not import a later one (docs/ARCHITECTURE.md).`,
      })),
);

// Pure parts take numbers and return numbers: no store, no file system, no server-only module.
const PURE = [
  "app/experiments/stats",
  "app/segments/rfm.ts",
  "app/segments/audience-rule.ts",
  "app/segments/kmeans.ts",
  "app/segments/naming.ts",
  "app/segments/settings.ts",
];
const pureZones = PURE.map((target) => ({
  target,
  from: ["app/db/**", "app/**/*.server.ts"],
  message: "Pure statistics and scoring import nothing that does I/O (docs/ARCHITECTURE.md).",
}));

const outsideZones = [
  {
    target: "app",
    from: ["cli", "server"],
    message: "app/ is imported by cli/ and server/, never the other way round.",
  },
  {
    target: "server",
    from: ["cli"],
    message: "server/ and cli/ are separate entry points: share code through app/ or seed/.",
  },
  {
    target: "seed",
    from: ["cli", "server"],
    message: "seed/ is imported by the entry points, not the other way round.",
  },
];

export default tseslint.config(
  // dist/: build output (the CLI's build inlines packages: decision 0030)
  {
    ignores: [
      "node_modules/",
      "build/",
      "public/build/",
      "dist/",
      "dist.tmp-*/",
      "dist.old-*/",
      ".cache/",
      "bench/out/",
      "test-results/",
      "drizzle/",
    ],
  },
  {
    files: ["**/*.{ts,tsx,js,cjs,mjs}"],
    // Others' "eslint-disable" comments name rules this minimal set leaves off; they are not errors.
    linterOptions: { reportUnusedDisableDirectives: "off" },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { ecmaVersion: "latest", sourceType: "module", ecmaFeatures: { jsx: true } },
    },
    plugins: { "import-x": importX, "@typescript-eslint": tseslint.plugin, "react-hooks": reactHooks },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: [...stageZones, ...pureZones, ...outsideZones] }],
      "import-x/no-unresolved": ["error", { ignore: ["^virtual:"] }],
      "import-x/no-self-import": "error",
      "react-hooks/rules-of-hooks": "error",
      "no-debugger": "error",
      "no-dupe-keys": "error",
      "no-duplicate-case": "error",
      "no-self-assign": "error",
      "no-self-compare": "error",
      "no-unreachable": "error",
      "no-unsafe-finally": "error",
      "no-cond-assign": "error",
      "use-isnan": "error",
      "valid-typeof": "error",
    },
  },
  {
    // No SQL in pages, JSON routes or components: they call a *.server.ts module of the stage that owns the table.
    files: ["app/routes/**", "app/components/**", "app/root.tsx"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[property.name='$client']",
          message: "No SQL in routes: call the owning stage's *.server.ts module.",
        },
      ],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["drizzle-orm", "drizzle-orm/*", "~/db/schema"],
              message: "No SQL in routes: call the owning stage's *.server.ts module.",
            },
          ],
        },
      ],
    },
  },
  {
    files: PURE.map((p) => (p.endsWith(".ts") ? p : `${p}/**`)),
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "fs/*", "path", "child_process"], message: "Pure code does no I/O." },
            {
              group: ["better-sqlite3", "drizzle-orm", "drizzle-orm/*"],
              message: "Pure code does not touch the store.",
            },
          ],
        },
      ],
    },
  },
);
