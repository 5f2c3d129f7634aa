// The query page. With YASGUI installed (npm ci; served at /vendor/yasgui/): the YASQE editor
// (highlighting, errors marked at their line, completion of prefixes and qz: terms from
// /ontology/vocabulary.json) and YASR results (sortable, paged, filterable table; a chart;
// the raw response). Without it: a plain textarea and a plain table, with a visible note.
// Both: the example library with a search box, share links (/query?query=… prefills and runs),
// spreadsheet downloads (/query/download: BOM, formulas neutralised) and the row count in the
// page's language.
(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const t = config.t;
  const status = document.getElementById("status");
  const textarea = document.getElementById("query");
  const ID = "https://w3id.org/quanze/id/";
  let getQuery = () => textarea.value;
  let setQuery = (text) => { textarea.value = text; };
  let runQuery = runPlain;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  }

  function shareUrl() {
    return `${location.origin}/query?lang=${config.lang}&query=${encodeURIComponent(getQuery())}`;
  }

  function updateLinks() {
    const q = encodeURIComponent(getQuery());
    document.getElementById("csv").href = `/query/download?format=csv&query=${q}`;
    document.getElementById("xlsx").href = `/query/download?format=xlsx&query=${q}`;
    document.getElementById("json").href = `/sparql?format=json&query=${q}`;
  }

  function showCount(n, ms) {
    status.textContent = ms === undefined ? format(t.rows, {n}) : format(t.rows_time, {n, s: (ms / 1000).toFixed(2)});
    status.dataset.rows = String(n);
  }

  // --- the example library: click to load and run; the search box filters it -------------------
  const search = document.getElementById("example-search");
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    document.querySelectorAll("#example-list li").forEach((li) => {
      const match = words.every((w) => li.dataset.search.includes(w));
      li.hidden = !match;
      shown += match ? 1 : 0;
    });
    document.getElementById("examples-none").hidden = shown > 0;
  });
  document.querySelectorAll("button.example").forEach((button) =>
    button.addEventListener("click", () => { setQuery(button.dataset.query); updateLinks(); runQuery(); }));

  document.getElementById("share").addEventListener("click", async () => {
    const url = shareUrl();
    const box = document.getElementById("share-box");
    const input = document.getElementById("share-url");
    box.hidden = false;
    input.value = url;
    input.select();
    history.replaceState(null, "", url);
    try { await navigator.clipboard.writeText(url); status.textContent = t.share_copied; } catch (e) { /* the field shows it */ }
  });
  document.getElementById("query-form").addEventListener("submit", (event) => { event.preventDefault(); runQuery(); });

  // --- plain mode -----------------------------------------------------------------------------------
  function cell(binding) {
    if (!binding) return "";
    if (binding.type === "uri" && binding.value.startsWith(ID)) {
      const a = document.createElement("a");
      a.href = binding.value.replace("https://w3id.org/quanze", "");
      a.textContent = binding.value;
      return a;
    }
    return binding.value;
  }

  async function runPlain() {
    updateLinks();
    status.textContent = t.running;
    const results = document.getElementById("results");
    const response = await fetch("/sparql", {
      method: "POST",
      headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle;q=0.5"},
      body: getQuery(),
    });
    results.innerHTML = "";
    if (!response.ok) {
      status.textContent = "";
      const pre = document.createElement("pre");
      pre.className = "error";
      pre.textContent = `${t.error} ${response.status}: ${await response.text()}`;
      results.appendChild(pre);
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
      status.textContent = "";
    } else {
      const head = table.insertRow();
      data.head.vars.forEach((v) => { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
      data.results.bindings.forEach((b) => {
        const row = table.insertRow();
        data.head.vars.forEach((v) => { const td = row.insertCell(); const c = cell(b[v]); if (typeof c === "string") td.textContent = c; else td.appendChild(c); });
      });
      showCount(data.results.bindings.length);
    }
    results.appendChild(table);
  }

  // --- YASGUI mode ----------------------------------------------------------------------------------
  function startYasgui() {
    const Yasqe = window.Yasgui.Yasqe;
    const Yasr = window.Yasgui.Yasr;
    const vocabulary = fetch("/ontology/vocabulary.json").then((r) => r.json());

    Yasqe.forkAutocompleter("prefixes", {
      name: "qzPrefixes", persistenceId: null,
      get: () => vocabulary.then((v) => Object.entries(v.prefixes).map(([p, iri]) => `${p}: <${iri}>`).sort()),
    }, false);
    Yasqe.forkAutocompleter("property", {name: "qzProperties", bulk: true, persistenceId: null, get: () => vocabulary.then((v) => v.properties)}, false);
    Yasqe.forkAutocompleter("class", {name: "qzClasses", bulk: true, persistenceId: null, get: () => vocabulary.then((v) => v.classes.concat(v.individuals))}, false);

    // Table cells. YASR passes every value of every row through DOMPurify to sort and filter,
    // which takes ~25 s for 21,321 rows; values are text, so they are escaped here instead
    // (ours: ~1 s). Our IRIs open their local page; only http(s) IRIs become links.
    const Table = Yasr.plugins.table;
    const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
    const short = (iri, prefixes) => {
      for (const p in prefixes || {}) if (iri.startsWith(prefixes[p])) return `${p}:${iri.slice(prefixes[p].length)}`;
      return null;
    };
    Table.prototype.getCellContent = function (binding, prefixes) {
      const compact = this.persistentConfig && this.persistentConfig.compact;
      if (binding.type === "uri") {
        const name = short(binding.value, prefixes);
        const shown = escape(name || binding.value);
        const href = binding.value.startsWith(ID) ? binding.value.slice("https://w3id.org/quanze".length) : binding.value;
        const link = /^(https?:|\/)/.test(href) ? `<a class="iri" href="${escape(href)}">${shown}</a>` : shown;
        return `<div><span>${name || compact ? link : `&lt;${link}&gt;`}</span></div>`;
      }
      let text = escape(binding.value);
      if (!compact && binding["xml:lang"]) text = `"${text}"<sup>@${escape(binding["xml:lang"])}</sup>`;
      else if (!compact && binding.datatype) text = `"${text}"<sup>^^${escape(short(binding.datatype, prefixes) || binding.datatype)}</sup>`;
      return `<div><span class="nonIri">${text}</span></div>`;
    };
    const columns = Table.prototype.getColumns;
    Table.prototype.getColumns = function () {
      const prefixes = this.yasr.getPrefixes();
      return columns.call(this).map((column, index) => index === 0 ? column : Object.assign(column, {
        render: (value, kind) => value === "" ? value : (kind === "filter" || kind === "sort" || !kind) ? value.value : this.getCellContent(value, prefixes),
      }));
    };
    if (config.lang === "zh") {
      Table.defaults.tableConfig.language = {
        info: "第 _START_ 至 _END_ 行，共 _TOTAL_ 行", infoEmpty: "无结果", infoFiltered: "（从 _MAX_ 行中筛选）",
        emptyTable: "无结果", zeroRecords: "没有匹配的行", lengthMenu: "每页 _MENU_ 行", search: "筛选：",
        paginate: {first: "首页", last: "末页", next: "下一页", previous: "上一页"},
      };
    }
    if (window.echarts) Yasr.registerPlugin("chart", ChartPlugin);

    const yasqe = new Yasqe(document.getElementById("yasqe"), {
      value: getQuery(),
      requestConfig: {
        endpoint: "/sparql", method: "POST",
        acceptHeaderSelect: "application/sparql-results+json", acceptHeaderGraph: "text/turtle",
      },
      persistenceId: null, prefixCcApi: null, syntaxErrorCheck: true, resizeable: true, editorHeight: "300px",
      autocompleters: ["qzPrefixes", "qzProperties", "qzClasses", "variables"],
      createShareableLink: () => shareUrl(), consumeShareLink: null, showQueryButton: true,
    });
    const yasr = new Yasr(document.getElementById("yasr"), {
      persistenceId: null, pluginOrder: ["table", "chart", "response"], defaultPlugin: "table",
      prefixes: {}, getDownloadFileName: () => "quanze-query",
    });
    yasr.config.plugins.table.dynamicConfig = {compact: true, pageSize: 50};  // values without quotes and datatypes
    yasr.updateResponseInfo = function () {  // "19 results in 0.38 seconds", in the page's language
      if (!this.dataElement) return;
      const bindings = this.results && this.results.getBindings ? this.results.getBindings() : null;
      const time = this.results && this.results.getResponseTime ? this.results.getResponseTime() : undefined;
      this.dataElement.classList.toggle("empty", !this.results);
      this.dataElement.innerText = bindings ? format(time ? t.rows_time : t.rows, {n: bindings.length, s: ((time || 0) / 1000).toFixed(2)}) : "";
    };
    vocabulary.then((v) => { yasr.config.prefixes = Object.fromEntries(Object.entries(v.prefixes).filter(([p]) => p !== "id")); });
    window.quanzeEditor = {yasqe, yasr};
    getQuery = () => yasqe.getValue();
    setQuery = (text) => yasqe.setValue(text);
    runQuery = () => { updateLinks(); status.textContent = t.running; yasqe.query().catch(() => {}); };
    if (config.lang === "zh") {  // the editor's own buttons
      const titles = {"Run query": "运行查询（Ctrl-Enter）", "Share query": "分享查询链接"};
      document.querySelectorAll("#yasqe [title]").forEach((el) => {
        if (titles[el.title]) { el.setAttribute("aria-label", titles[el.title]); el.title = titles[el.title]; }
      });
    }
    yasqe.on("change", updateLinks);
    yasqe.on("queryResponse", (_, response, duration) => {
      yasr.setResponse(response, duration);
      const bindings = yasr.results && yasr.results.getBindings ? yasr.results.getBindings() : null;
      if (bindings) showCount(bindings.length, duration); else status.textContent = "";
    });
    yasr.on("drawn", () => translateYasr(yasr));
    translateYasr(yasr);  // the plugin buttons before any result
    textarea.hidden = true;
    document.getElementById("run").addEventListener("click", (event) => { event.preventDefault(); runQuery(); });
  }

  function translateYasr(yasr) {
    const table = yasr.resultsEl.querySelector("table.dataTable, table");
    if (table) table.id = "result-table";
    if (config.lang !== "zh") return;
    const words = {"Simple view": t.compact, "Ellipse": t.ellipse, "Page size: ": t.page_size + "：", "All": t.all,
                   "Table": t.table, "Response": t.response, "Chart": t.chart};
    yasr.rootEl.querySelectorAll(".tableControls span, .pageSizerLabel, .tableSizer option, .yasr_btnGroup span, .yasr_btnGroup button")
      .forEach((el) => { if (el.children.length === 0 && words[el.textContent]) el.textContent = words[el.textContent]; });
    const filter = yasr.rootEl.querySelector(".tableFilter");
    if (filter) { filter.placeholder = t.filter; filter.setAttribute("aria-label", t.filter); }
  }

  // A YASR plugin: the numeric columns of a result as a bar chart (Apache ECharts, served locally).
  class ChartPlugin {
    constructor(yasr) { this.yasr = yasr; this.priority = 5; this.label = t.chart; }
    columns() {
      const results = this.yasr.results;
      if (!results || !results.getVariables || !results.getBindings) return null;
      const vars = results.getVariables() || [];
      const rows = results.getBindings() || [];
      // numbers are typed literals (COUNT gives xsd:integer); a code like "140423" is a plain string
      const isNumber = (b) => b && b.type !== "uri" && /XMLSchema#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/.test(b.datatype || "");
      const numeric = vars.filter((v) => rows.length && rows.every((b) => isNumber(b[v])));
      const labels = vars.filter((v) => !numeric.includes(v));
      return numeric.length && labels.length ? {rows, numeric, labels} : null;
    }
    canHandleResults() { return !!this.columns(); }
    getIcon() { const icon = document.createElement("div"); icon.textContent = "▥"; return icon; }
    draw() {
      const {rows, numeric, labels} = this.columns();
      const el = document.createElement("div");
      el.className = "result-chart";
      el.style.height = Math.max(320, Math.min(1200, rows.length * 22 + 80)) + "px";
      this.yasr.resultsEl.appendChild(el);
      const names = rows.map((b) => labels.map((v) => (b[v] ? b[v].value.replace(ID, "") : "")).join(" · "));
      window.echarts.init(el).setOption({
        tooltip: {trigger: "axis"}, legend: {data: numeric}, grid: {left: 260, right: 30, top: 30, bottom: 20},
        xAxis: {type: "value"}, yAxis: {type: "category", data: names, inverse: true, axisLabel: {width: 240, overflow: "truncate"}},
        series: numeric.map((v) => ({name: v, type: "bar", data: rows.map((b) => Number(b[v].value))})),
      });
    }
  }

  if (config.yasgui && window.Yasgui) {
    try { startYasgui(); } catch (error) { console.error(error); document.getElementById("fallback-note").hidden = false; textarea.hidden = false; }
  } else {
    document.getElementById("fallback-note").hidden = false;
  }
  updateLinks();
  if (config.initial) runQuery();
})();
