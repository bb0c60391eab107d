// Live check-in dashboard: polls the numbers every 10 s and redraws the chart and tables.
(function () {
  "use strict";
  const REFRESH_MS = 10000;
  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  const labels = config.labels;
  let chart = null;

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }

  function row(cells) {
    const tr = el("tr");
    cells.forEach((cell) => tr.appendChild(cell instanceof Node ? cell : el("td", cell)));
    return tr;
  }

  function swatchCell(color, name) {
    const td = el("td");
    const swatch = el("span", null, { class: "category-swatch" });
    swatch.style.background = color;
    td.append(swatch, document.createTextNode(name));
    return td;
  }

  function replaceRows(tbody, rows, emptyText, span) {
    tbody.replaceChildren();
    if (!rows.length) {
      const tr = el("tr", null, { class: "empty" });
      tr.appendChild(el("td", emptyText, { colspan: String(span) }));
      tbody.appendChild(tr);
      return;
    }
    rows.forEach((r) => tbody.appendChild(r));
  }

  function palette(i) {
    const colors = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#0a7ea4"];
    return colors[i % colors.length];
  }

  function drawChart(data) {
    const canvas = document.getElementById("arrivals-chart");
    if (!canvas || typeof Chart === "undefined") return;
    const stamps = [...new Set(data.arrivals.map((a) => a.at))];
    // On-site lists stack in one bar, online joins stand beside it (list_id null).
    const series = (listId) => {
      const counts = new Map(
        data.arrivals.filter((a) => a.list_id === listId).map((a) => [a.at, a.count])
      );
      return stamps.map((s) => counts.get(s) || 0);
    };
    const datasets = data.lists.map((list, i) => ({
      label: list.name,
      data: series(list.id),
      backgroundColor: palette(i),
      stack: "onsite",
    }));
    if (data.arrivals.some((a) => a.list_id === null) || data.online.expected) {
      datasets.push({ label: labels.online, data: series(null), backgroundColor: "#d63384", stack: "online" });
    }
    if (chart) {
      chart.data.labels = stamps;
      chart.data.datasets = datasets;
      chart.update("none");
      return;
    }
    chart = new Chart(canvas, {
      type: "bar",
      data: { labels: stamps, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function drawLists(data) {
    const box = document.getElementById("list-numbers");
    data.lists.forEach((list) => {
      let article = box.querySelector(`[data-list-id="${list.id}"]`);
      if (!article) return; // a new list appears on the next page load
      article.querySelector(".checked-in").textContent = list.checked_in;
      article.querySelector(".expected").textContent = list.expected;
      const tbody = article.querySelector("tbody");
      replaceRows(
        tbody,
        list.per_category.map((c) => row([swatchCell(c.color, c.name), c.checked_in, c.expected])),
        "",
        3
      );
    });
  }

  function drawOnline(data) {
    const box = document.getElementById("online-numbers");
    if (!box) return;
    box.querySelector(".joined").textContent = data.online.joined;
    box.querySelector(".expected").textContent = data.online.expected;
    replaceRows(
      box.querySelector("tbody"),
      data.online.per_category.map((c) => row([swatchCell(c.color, c.name), c.joined, c.expected])),
      labels.noOnline,
      3
    );
  }

  function answer(scan) {
    let text = labels.statuses[scan.status] || scan.status;
    if (scan.kind === "exit") text += ` (${labels.exit})`;
    if (scan.offline) text += ` · ${labels.offline}`;
    if (scan.undone) text += ` · ${labels.undone}`;
    return text;
  }

  function drawTables(data) {
    replaceRows(
      document.querySelector("#recent-scans tbody"),
      data.recent.map((s) => row([s.at, s.name, s.list, s.station, answer(s)])),
      labels.noScans,
      5
    );
    replaceRows(
      document.querySelector("#conflicts tbody"),
      data.conflicts.map((c) =>
        row([c.name, c.list, `${c.at} · ${c.station}`, `${c.first_at || ""} · ${c.first_station || ""}`])
      ),
      labels.noConflicts,
      4
    );
  }

  function draw(data) {
    drawChart(data);
    drawLists(data);
    drawOnline(data);
    drawTables(data);
  }

  async function refresh() {
    const state = document.getElementById("refresh-state");
    try {
      const response = await fetch(config.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      draw(await response.json());
      state.textContent = labels.updated.replace("{time}", new Date().toLocaleTimeString());
    } catch (error) {
      state.textContent = labels.failed;
    }
  }

  draw(config.data);
  setInterval(refresh, REFRESH_MS);
})();
