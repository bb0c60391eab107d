// Badge-sheet progress: poll the job's JSON status and move the progress bar until the
// sheet is done (then show the download link) or failed.
const job = document.getElementById("sheet-job");
if (job) {
  const bar = document.getElementById("sheet-progress");
  const text = document.getElementById("sheet-progress-text");
  const link = document.getElementById("sheet-download");
  const url = job.dataset.statusUrl;

  const show = (status) => {
    bar.value = status.percent;
    if (status.state === "done") {
      text.textContent = text.dataset.done;
      link.href = status.download_url;
      link.hidden = false;
    } else if (status.state === "failed") {
      text.textContent = text.dataset.failed;
    } else {
      text.textContent = text.dataset.running
        .replace("{done}", String(status.done))
        .replace("{total}", String(status.total));
    }
    return status.state === "done" || status.state === "failed";
  };

  const poll = async () => {
    let finished = false;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) finished = show(await response.json());
    } catch {
      // Network hiccup: try again at the next tick.
    }
    if (!finished) setTimeout(poll, 1000);
  };

  if (job.dataset.state !== "done" && job.dataset.state !== "failed") poll();
}
