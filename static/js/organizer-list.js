// The organizer's registration list: "select all", and the bulk bar above the table that says
// how many rows are ticked and offers its buttons only when there is something to act on.
const selectAll = document.getElementById("select-all");
const boxes = Array.from(document.querySelectorAll('#registrations-table input[name="ids"]'));
const count = document.getElementById("ticked-count");
const bar = document.getElementById("bulk-bar");

function update() {
  const ticked = boxes.filter((box) => box.checked).length;
  if (count) count.textContent = count.dataset.template.replace("{n}", String(ticked));
  if (bar) {
    bar.classList.toggle("has-selection", ticked > 0);
    for (const button of bar.querySelectorAll(".bulk-needs-selection")) button.disabled = ticked === 0;
  }
  if (selectAll) {
    selectAll.checked = ticked > 0 && ticked === boxes.length;
    selectAll.indeterminate = ticked > 0 && ticked < boxes.length;
  }
}

if (selectAll) {
  selectAll.addEventListener("change", () => {
    for (const box of boxes) box.checked = selectAll.checked;
    update();
  });
}
for (const box of boxes) box.addEventListener("change", update);
update();
// Coming back to the page (history), the browser restores the ticks without change events.
window.addEventListener("pageshow", update);
