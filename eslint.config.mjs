// ESLint flat config for the portal's own JavaScript (issue 22, A8): `make lint`, pre-commit and CI run it.
// static/js holds classic scripts (one IIFE per page, globals of the vendored libraries); static/field_app/js holds
// the field app's ES modules (no build step). Vendored copies (static/vendor) are not ours and are not linted.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "staticfiles/**", "node_modules/**", ".venv/**", ".data/**"] },
  js.configs.recommended,
  {
    // `catch (error) { … }` that ignores the error is this code's idiom for "best effort" (storage, camera,
    // JSON of an error page): ESLint 9 flags unused caught errors by default, ESLint 8 did not.
    rules: { "no-unused-vars": ["error", { caughtErrors: "none" }] },
  },
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly", Chart: "readonly", htmx: "readonly", bootstrap: "readonly" },
    },
  },
  {
    files: ["static/field_app/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.browser } },
  },
];
