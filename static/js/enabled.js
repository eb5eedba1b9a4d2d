// Marks the page as running JavaScript: class "js" on <html>. Controls only browsers without
// JavaScript need (class "no-js-only", e.g. "Update the lists" beside a list htmx updates by
// itself) are then hidden by portal.css. Loaded in <head> without "defer", so they never flash;
// a file, not an inline script, because the Content-Security-Policy allows only the portal's.
document.documentElement.classList.add("js");
