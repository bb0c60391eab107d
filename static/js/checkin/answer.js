// The full-screen answer: green (welcome), yellow (already checked in), red (refused).
// It resets by itself after a moment, or at a tap.

import { formatClock } from "./i18n.js";

const COLOURS = {
  ok: "green",
  already_checked_in: "yellow",
  not_checked_in: "yellow",
};

export function colourOf(status) {
  return COLOURS[status] || "red";
}

/** Headline, detail lines and colour for a redeem answer. Pure: easy to test in isolation. */
export function describeAnswer(result, { t, timeZone, locale, kind = "entry" }) {
  const colour = colourOf(result.status);
  const person = result.registration;
  const name = person ? person.native_name || person.latin_name || "" : "";
  const lines = [];
  if (person) {
    if (person.latin_name && person.latin_name !== person.native_name) lines.push(person.latin_name);
    const about = [person.category, person.organization].filter(Boolean).join(" · ");
    if (about) lines.push(about);
  }
  let headline;
  if (result.status === "ok") {
    headline = kind === "exit" ? t("Goodbye, %(name)s", { name }) : t("Welcome, %(name)s", { name });
  } else if (result.status === "already_checked_in") {
    const first = result.first_checkin;
    if (first && first.at && first.station) {
      headline = t("Already checked in at %(time)s by station %(station)s", {
        time: formatClock(first.at, timeZone, locale), station: first.station,
      });
    } else if (first && first.at) {
      headline = t("Already checked in at %(time)s", { time: formatClock(first.at, timeZone, locale) });
    } else {
      headline = t("Already checked in");
    }
    if (name) lines.unshift(name);
  } else {
    headline = (!result.offline && result.message) || t(`status:${result.status}`);
    if (name) lines.unshift(name);
  }
  const offline = Boolean(result.offline);
  const offlineLabel = offline ? t(colour === "green" ? "Accepted offline" : "Checked offline") : "";
  return { colour, headline, lines, offline, offlineLabel };
}

export function createOverlay(element, { holdMs = 2500, onHide = () => {} } = {}) {
  const headline = element.querySelector("[data-answer-headline]");
  const details = element.querySelector("[data-answer-details]");
  const marker = element.querySelector("[data-answer-offline]");
  const swatch = element.querySelector("[data-answer-swatch]");
  let timer = null;

  function hide() {
    clearTimeout(timer);
    timer = null;
    if (element.hidden) return;
    element.hidden = true;
    element.dataset.colour = "";
    onHide();
  }

  element.addEventListener("click", hide);

  return {
    show(view, { color = null } = {}) {
      clearTimeout(timer);
      element.dataset.colour = view.colour;
      headline.textContent = view.headline;
      details.replaceChildren(...view.lines.map((line) => {
        const p = document.createElement("p");
        p.textContent = line;
        return p;
      }));
      marker.hidden = !view.offline;
      marker.textContent = view.offlineLabel || "";
      if (swatch) {
        swatch.hidden = !color;
        swatch.style.background = color || "";
      }
      element.hidden = false;
      timer = setTimeout(hide, holdMs);
    },
    hide,
    get visible() {
      return !element.hidden;
    },
  };
}
