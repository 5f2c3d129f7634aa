// The query page: run the editor's query against /sparql and show the results as a table.
const form = document.getElementById("query-form");
const editor = document.getElementById("query");
const results = document.getElementById("results");
const status = document.getElementById("status");

function downloadLinks() {
  const q = encodeURIComponent(editor.value);
  document.getElementById("csv").href = `/query/download?format=csv&query=${q}`;
  document.getElementById("json").href = `/sparql?format=json&query=${q}`;
}

function cell(binding) {
  if (!binding) return "";
  const value = binding.value;
  if (binding.type === "uri" && value.startsWith("https://w3id.org/quanze/id/")) {
    const a = document.createElement("a");
    a.href = value.replace("https://w3id.org/quanze", "");
    a.textContent = value;
    return a;
  }
  return value;
}

async function run(event) {
  if (event) event.preventDefault();
  downloadLinks();
  status.textContent = "…";
  const response = await fetch("/sparql", {
    method: "POST",
    headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle;q=0.5"},
    body: editor.value,
  });
  results.innerHTML = "";
  if (!response.ok) {
    status.textContent = `${response.status}: ${await response.text()}`;
    return;
  }
  if (!(response.headers.get("content-type") || "").includes("json")) {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    results.appendChild(pre);
    status.textContent = "";
    return;
  }
  const data = await response.json();
  const table = document.createElement("table");
  table.id = "result-table";
  if (data.boolean !== undefined) {
    table.innerHTML = `<tr><th>ASK</th></tr><tr><td>${data.boolean}</td></tr>`;
  } else {
    const head = table.insertRow();
    data.head.vars.forEach(v => { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    data.results.bindings.forEach(b => {
      const row = table.insertRow();
      data.head.vars.forEach(v => { const td = row.insertCell(); const c = cell(b[v]); if (typeof c === "string") td.textContent = c; else td.appendChild(c); });
    });
    status.textContent = `${data.results.bindings.length} rows`;
  }
  results.appendChild(table);
}

document.querySelectorAll("button.example").forEach(button =>
  button.addEventListener("click", () => { editor.value = button.dataset.query; run(); }));
form.addEventListener("submit", run);
downloadLinks();
