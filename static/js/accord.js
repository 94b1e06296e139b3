import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

// GOV.UK Frontend styles its scripted components only under these classes; a browser
// that runs this module supports everything it needs.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Dismissing a reminder re-renders the list in place: keep the keyboard where it was (on
// the next Dismiss button, else the page heading) rather than dropping it to the top.
let dismissedAt = null;
document.body.addEventListener("htmx:beforeRequest", (event) => {
  const list = document.getElementById("my-reminders");
  const form = event.detail.elt.closest && event.detail.elt.closest("form");
  if (list && form && list.contains(form)) {
    dismissedAt = [...list.querySelectorAll("form")].indexOf(form);
  }
});
document.body.addEventListener("htmx:afterSettle", () => {
  if (dismissedAt === null) return;
  const list = document.getElementById("my-reminders");
  const buttons = list ? list.querySelectorAll("form button") : [];
  const next = buttons[Math.min(dismissedAt, buttons.length - 1)];
  dismissedAt = null;
  if (next) {
    next.focus();
  } else {
    const heading = document.querySelector("h1");
    heading.tabIndex = -1;
    heading.focus();
  }
});
