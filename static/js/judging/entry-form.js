// Team entry forms: empty member rows beyond the first few are hidden behind an
// "Add a team member" button (without JavaScript every row simply shows).

const script = document.querySelector("script[data-min-rows]");
const minRows = Number(script?.dataset.minRows || 1);
const rows = [...document.querySelectorAll("#member-rows [data-member-row]")];
const button = document.getElementById("add-member");

function isBlank(row) {
  return [...row.querySelectorAll("input[type=text], input[type=email], input[type=date], input:not([type])")]
    .every((input) => input.value.trim() === "");
}

let shown = 0;
for (const row of rows) {
  const keep = shown < minRows || !isBlank(row) || row.hasAttribute("data-has-errors");
  row.hidden = !keep;
  if (keep) shown += 1;
}

function updateButton() {
  button.hidden = !rows.some((row) => row.hidden);
}

if (button) {
  button.addEventListener("click", () => {
    const next = rows.find((row) => row.hidden);
    if (!next) return;
    next.hidden = false;
    next.querySelector("input")?.focus();
    updateButton();
  });
  updateButton();
}
