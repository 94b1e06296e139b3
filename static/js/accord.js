import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

// GOV.UK Frontend styles its scripted components only under these classes; a browser
// that runs this module supports everything it needs.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
