// The station name and the check-in list are remembered on the device, so staff choose them
// once: the list this device scanned last is selected again (unless the page was asked for
// another one), over the server's choice of the list open now.
const STATION_KEY = "huiwu.checkin.station";
const form = document.getElementById("checkin-choose");
const input = document.getElementById("station");
if (form && input) {
  const listKey = `huiwu.checkin.list.${form.dataset.event}`;
  if (!input.value) input.value = localStorage.getItem(STATION_KEY) || "";
  const last = localStorage.getItem(listKey);
  const remembered = last && form.querySelector(`input[name="list_id"][value="${CSS.escape(last)}"]`);
  if (remembered && form.dataset.listAsked !== "1") remembered.checked = true;
  form.addEventListener("submit", () => {
    const value = input.value.trim();
    if (value) localStorage.setItem(STATION_KEY, value);
    const chosen = form.querySelector('input[name="list_id"]:checked');
    if (chosen) localStorage.setItem(listKey, chosen.value);
  });
}
