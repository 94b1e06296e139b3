// Builds the vendored front-end assets into static/vendor from node_modules.
// GOV.UK Frontend is compiled from its Sass source with a system font stack:
// Accord is not a GOV.UK service, so it ships neither the GDS font nor the crown.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { compile } from "sass";

const out = "static/vendor";
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/govuk`, { recursive: true });

const css = compile("static/scss/govuk.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "slash-div", "color-functions"],
});
writeFileSync(`${out}/govuk/govuk-frontend.min.css`, css.css);
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk/govuk-frontend.min.js`);
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", `${out}/govuk/assets/images`, { recursive: true });
cpSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx.min.js`);
cpSync("node_modules/chart.js/dist/chart.umd.min.js", `${out}/chart.umd.min.js`);
console.log(`front-end assets built into ${out}`);
