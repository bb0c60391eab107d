// "Select all" checkbox of the organizer's registration list.
const selectAll = document.getElementById("select-all");
if (selectAll) {
  selectAll.addEventListener("change", () => {
    for (const box of document.querySelectorAll('#registrations-table input[name="ids"]')) {
      box.checked = selectAll.checked;
    }
  });
}
