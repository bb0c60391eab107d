// Translated strings come from the page (a JSON dict rendered by the template with _()).
// Placeholders use the same "%(name)s" form as the Python catalogs.

export function makeTranslator(strings) {
  return function t(key, params = {}) {
    const template = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    return template.replace(/%\((\w+)\)[sd]/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
  };
}

/** "09:12" for an ISO UTC instant, in the event's timezone. */
export function formatClock(iso, timeZone, locale) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(locale, {
      hour: "2-digit", minute: "2-digit", hour12: false, timeZone,
    }).format(date);
  } catch {
    return date.toISOString().slice(11, 16);
  }
}
