// The linter of the map's browser code (mapapp/web/) and its unit tests (tests/js/).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "mapapp/static/", "benchmarks/static/", "site/"] },
  js.configs.recommended,
  {
    // classic scripts: the static page loads them with <script>, the component by URL
    files: ["mapapp/web/map.js", "mapapp/web/app.js"],
    languageOptions: {
      sourceType: "script",
      ecmaVersion: 2022,
      globals: { ...globals.browser, L: "readonly", MapappMap: "readonly" },
    },
  },
  {
    files: ["mapapp/web/component.js"],
    languageOptions: { sourceType: "module", ecmaVersion: 2022, globals: globals.browser },
  },
  {
    files: ["tests/js/**/*.mjs", "eslint.config.mjs"],
    languageOptions: { sourceType: "module", ecmaVersion: 2022, globals: globals.node },
  },
];
