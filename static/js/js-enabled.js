// Marks the page as script-capable before it renders, as GOV.UK Frontend expects.
document.documentElement.classList.add("js-enabled");
document.addEventListener("DOMContentLoaded", () => {
  document.body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) {
    document.body.classList.add("govuk-frontend-supported");
  }
});
