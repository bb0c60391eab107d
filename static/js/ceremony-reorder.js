// Drag-and-drop reordering of agenda segments and signing items (native HTML5 drag events).
// The move-up/move-down buttons next to each row are the keyboard alternative and work
// without this script. After a drop the new order is POSTed (with the CSRF token) and the
// page reloads, so the computed times and rounds shown are always the server's.
(function () {
  "use strict";
  const script = document.currentScript;
  const csrfToken = script ? script.dataset.csrf : "";
  const status = document.getElementById("reorder-status");

  function say(text) {
    if (status) status.textContent = text || "";
  }

  function rowOf(node) {
    return node instanceof Element ? node.closest(".sortable-row") : null;
  }

  function save(list) {
    const ids = [...list.querySelectorAll(":scope > .sortable-row")].map((li) => li.dataset.id);
    const body = new URLSearchParams({ order: ids.join(","), csrf_token: csrfToken });
    say(status && status.dataset.saving);
    return fetch(list.dataset.reorderUrl, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
      body,
      credentials: "same-origin",
    })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        window.location.reload();
      })
      .catch(() => say(status && status.dataset.failed));
  }

  document.querySelectorAll("ol.sortable[data-reorder-url]").forEach((list) => {
    let dragged = null;
    let startOrder = "";

    list.addEventListener("dragstart", (event) => {
      const row = rowOf(event.target);
      if (!row || row.parentElement !== list) return;
      dragged = row;
      startOrder = [...list.children].map((li) => li.dataset.id).join(",");
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.id);
    });

    list.addEventListener("dragover", (event) => {
      if (!dragged) return;
      const row = rowOf(event.target);
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (!row || row === dragged || row.parentElement !== list) return;
      const box = row.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? row.nextSibling : row);
    });

    list.addEventListener("drop", (event) => {
      if (!dragged) return;
      event.preventDefault();
    });

    list.addEventListener("dragend", () => {
      if (!dragged) return;
      dragged.classList.remove("dragging");
      dragged = null;
      const order = [...list.children].map((li) => li.dataset.id).join(",");
      if (order !== startOrder) save(list);
    });
  });
})();
