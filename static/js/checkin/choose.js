// The station name is remembered on the device, so staff type it once.
const STATION_KEY = "huiwu.checkin.station";
const form = document.getElementById("checkin-choose");
const input = document.getElementById("station");
if (form && input) {
  if (!input.value) input.value = localStorage.getItem(STATION_KEY) || "";
  form.addEventListener("submit", () => {
    const value = input.value.trim();
    if (value) localStorage.setItem(STATION_KEY, value);
  });
}
