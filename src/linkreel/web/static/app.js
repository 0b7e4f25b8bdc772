// linkreel web app: one small script, no dependencies. Each page's <body data-page> picks its setup;
// the server embeds what a page needs as JSON in #page-data. Writes send the session's CSRF token.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const pageData = () => JSON.parse($("#page-data").textContent || "{}");
const csrf = () => $('meta[name="csrf-token"]').content;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api(method, url, body) {
  const init = { method, headers: { "X-CSRF-Token": csrf(), Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  let res;
  try { res = await fetch(url, init); } catch (e) { return { ok: false, status: 0, data: { detail: "The server cannot be reached." } }; }
  if (res.status === 401) { location.href = "/signin/?next=" + encodeURIComponent(location.pathname); }
  let data = null;
  try { data = await res.json(); } catch (e) { data = { detail: `Unexpected answer (${res.status}).` }; }
  return { ok: res.ok, status: res.status, data };
}

// DRF-shaped errors → the <p data-error-for=field> next to each field; unknown fields go to "detail".
function showErrors(form, data) {
  $$("[data-error-for]", form).forEach((p) => { p.hidden = true; p.textContent = ""; });
  if (!data) return;
  const put = (field, msg) => {
    const p = $(`[data-error-for="${field}"]`, form) || $('[data-error-for="detail"]', form);
    if (!p) return;
    p.textContent = (p.textContent ? p.textContent + " " : "") + msg;
    p.hidden = false;
  };
  if (Array.isArray(data)) { data.forEach((m) => put("detail", String(m))); return; }
  for (const [field, value] of Object.entries(data)) {
    const msgs = Array.isArray(value) ? value : [typeof value === "object" ? JSON.stringify(value) : value];
    msgs.forEach((m) => put(field, String(m)));
  }
}

function busy(button, on, label) {
  if (on) { button.dataset.label = button.textContent; button.textContent = label; button.disabled = true; }
  else { button.textContent = button.dataset.label || button.textContent; button.disabled = false; }
}

// ---------------------------------------------------------------- jobs

const STAGE_LABELS = { scrape: "page", script: "script", voice: "voice", music: "music", captions: "captions",
  timeline: "timeline", render: "render" };
const STATUS_LABELS = { pending: "ready to review", in_queue: "waiting", running: "working", done: "done",
  failed: "failed", rendering: "rendering" };

// "pending" is "ready to review" only once a preview exists; before that the previews are being made.
function statusLabel(job) {
  if (job.status === "pending" && !job.preview && !(job.previews || []).length) return "making previews";
  return STATUS_LABELS[job.status] || job.status;
}

function jobTitle(job) {
  return job.name || ((job.outputs || []).length ? "Ad" : (job.previews || []).length > 1 ? "Previews" : "Preview");
}

// Re-run charges credits again, so the first click only arms the button; the second submits.
function rerunButton(job, onDone) {
  const button = el("button", { type: "button", class: "link", "data-action": "rerun", text: "Re-run" });
  button.addEventListener("click", async () => {
    if (!button.dataset.armed) {
      button.dataset.armed = "1";
      button.textContent = "Confirm re-run (uses credits)";
      return;
    }
    busy(button, true, "Starting…");
    const r = await api("POST", `/web/api/videos/${job.id}/rerun/`);
    busy(button, false);
    delete button.dataset.armed;
    button.textContent = "Re-run";
    onDone(r);
  });
  return button;
}

function jobCard(job, onRerun) {
  const pct = Math.round(parseFloat(job.progress || "0") * 100);
  const stages = el("ol", { class: "stages", "aria-label": "Stages" },
    ...(job.stages || []).map((s) => el("li", { class: `stage ${s.status}`,
      title: `${s.name}: ${s.status} ${Math.round((s.progress || 0) * 100)}%` }, STAGE_LABELS[s.name] || s.name)));
  const links = el("div", { class: "links" });
  if (job.previews && job.previews.length > 1) links.append(el("a", { href: `/compare/${job.id}/`, text: "Compare previews" }));
  if (job.preview || (job.previews && job.previews.length)) links.append(el("a", { href: `/editor/${job.id}/`, text: "Edit" }));
  for (const out of job.outputs || []) {
    if (out.video_output) {
      links.append(el("a", { href: out.video_output, download: "", text: `MP4 ${out.visual_style} ${out.aspect_ratio}` }));
      if (out.video_thumbnail) links.append(el("a", { href: out.video_thumbnail, download: "", text: "Thumbnail" }));
    }
  }
  links.append(el("button", { type: "button", class: "link", "data-action": "copy", text: "Copy API JSON",
    onclick: (e) => { navigator.clipboard && navigator.clipboard.writeText(JSON.stringify(job, null, 2));
      e.target.textContent = "Copied"; } }));
  const note = el("p", { class: "error", role: "alert", hidden: true });
  if (onRerun) links.append(rerunButton(job, (r) => {
    if (r.ok) onRerun(r.data); else { note.hidden = false; note.textContent = Object.values(r.data).flat().join(" "); }
  }));
  return el("li", { class: `job ${job.status}`, "data-job": job.id },
    el("div", { class: "job-head" },
      el("strong", { text: jobTitle(job) }),
      el("span", { class: `badge ${job.status}`, text: statusLabel(job) })),
    el("p", { class: "muted small", text: [job.visual_style, job.aspect_ratio, job.language,
      job.video_length ? job.video_length + " s" : null, new Date(job.created_at).toLocaleString()].filter(Boolean).join(" · ") }),
    el("div", { class: "bar", role: "progressbar", "aria-label": "Progress", "aria-valuenow": pct, "aria-valuemin": 0,
      "aria-valuemax": 100 }, el("span", { class: `fill w${Math.min(100, Math.round(pct / 5) * 5)}` })),
    stages,
    job.failed_reason ? el("p", { class: "error", text: job.failed_reason }) : null,
    note,
    links);
}

// Live status: server-sent events (/web/api/events/), or polling every 2 s where EventSource is missing
// or the stream is refused. body[data-live] says which one runs ("sse" / "poll").
function setupJobs() {
  const list = $("#jobs"), status = $("#jobs-status"), live = $("#jobs-live");
  const seen = new Map();  // job id → last status, to announce changes
  let timer = null;

  function empty() {
    const none = !list.children.length;
    status.textContent = none ? "No ads yet. Make your first one." : "";
    status.hidden = !none;
  }
  function upsert(job) {
    const card = jobCard(job, rerun), old = $(`li[data-job="${job.id}"]`, list);
    if (old) {
      // A card re-drawn under the keyboard focus keeps it on the same control.
      const action = old.contains(document.activeElement) && document.activeElement.dataset.action;
      old.replaceWith(card);
      if (action) { const same = $(`[data-action="${action}"]`, card); if (same) same.focus(); }
    } else list.prepend(card);
    const before = seen.get(job.id);
    if (before && before !== job.status) live.textContent = `${jobTitle(job)}: ${statusLabel(job)}`;
    seen.set(job.id, job.status);
    empty();
  }
  function rerun(job) { upsert(job); live.textContent = `Re-run started: ${jobTitle(job)}, ${job.credits_used} credits.`; }
  function showAll(data) {
    $("#balance").textContent = String(data.remaining_credits);
    list.replaceChildren();
    [...data.jobs].reverse().forEach(upsert);
    empty();
  }
  async function refresh() {
    const r = await api("GET", "/web/api/jobs/");
    if (r.ok) showAll(r.data); else status.textContent = r.data.detail || "Could not load the jobs.";
  }
  function poll() {
    if (timer) return;
    document.body.dataset.live = "poll";
    refresh();
    timer = setInterval(refresh, 2000);
  }
  if (!window.EventSource) { poll(); return; }
  const stream = new EventSource("/web/api/events/");
  stream.addEventListener("open", () => { if (!timer) document.body.dataset.live = "sse"; });
  stream.addEventListener("jobs", (e) => showAll(JSON.parse(e.data)));
  stream.addEventListener("job", (e) => upsert(JSON.parse(e.data)));
  stream.addEventListener("credits", (e) => { $("#balance").textContent = String(JSON.parse(e.data).remaining_credits); });
  // CONNECTING: EventSource retries by itself (the server ends each stream after a while). CLOSED: refused.
  stream.addEventListener("error", () => { if (stream.readyState === EventSource.CLOSED) poll(); });
}

// ---------------------------------------------------------------- new ad

const DEFAULT_STYLE = "FullScreenTemplate";

// The avatar grid (templates/_personas.html): one radio card per persona (square preview still, lazy-loaded;
// the workspace's own marked "yours") after "Automatic" and, where `none` is given (the editor), "No presenter".
// `current` is checked (none of them for a photo presenter); `matched` names who "Automatic" gives. The
// filters hide persona cards client-side (the catalog is small and already on the page). Returns the choice.
const FILTER_LABELS = { gender: "Gender", age_range: "Age", location: "Setting", style: "Shot" };
const VALUE_LABELS = { m: "male", f: "female", nb: "non-binary" };
const valueLabel = (v) => VALUE_LABELS[v] || v;

function setupPersonas(cat, { current = "", matched = null, none = null } = {}) {
  const grid = $("#personas"), filters = $("#persona-filters"), count = $("#persona-count");
  const radio = (value) => el("input", { type: "radio", name: "override_avatar", value, checked: value === (current || "") });
  const card = (p) => el("label", { class: "persona", "data-id": p.id, title: `${p.creator_name}: ${valueLabel(p.gender)}, ${p.age_range}, ${p.location}, ${p.style}` },
    radio(p.id),
    el("img", { src: p.image, alt: "", loading: "lazy", width: 96, height: 96 }),
    el("span", { class: "persona-name", text: p.creator_name }),
    el("span", { class: "muted small", text: p.custom ? "yours" : `${valueLabel(p.gender)} · ${p.age_range} · ${p.location}` }));
  const auto = cat.personas.find((p) => p.id === matched);
  const choices = [el("label", { class: "persona auto" }, radio(""),
    el("span", { class: "persona-name", text: "Automatic" }),
    el("span", { class: "muted small", text: auto ? `matched: ${auto.creator_name}` : "matched to the product" }))];
  if (none) choices.push(el("label", { class: "persona none" }, radio(none),
    el("span", { class: "persona-name", text: "No presenter" }), el("span", { class: "muted small", text: "product only" })));
  grid.replaceChildren(...choices, ...cat.personas.map(card));
  filters.replaceChildren(...Object.entries(cat.persona_filters).map(([name, values]) =>
    el("div", {}, el("label", { for: `pf-${name}`, text: FILTER_LABELS[name] || name }),
      el("select", { id: `pf-${name}`, "data-filter": name },
        el("option", { value: "", text: "Any" }), ...values.map((v) => el("option", { value: v, text: valueLabel(v) }))))));
  function apply() {
    const wanted = $$("[data-filter]", filters).filter((s) => s.value).map((s) => [s.dataset.filter, s.value]);
    let shown = 0;
    for (const p of cat.personas) {
      const visible = wanted.every(([k, v]) => p[k] === v);
      $(`[data-id="${p.id}"]`, grid).hidden = !visible;
      shown += visible;
    }
    count.textContent = `${shown} of ${cat.personas.length} avatars`;
  }
  filters.addEventListener("change", apply);
  apply();
  const checked = () => $('input[name="override_avatar"]:checked', grid);
  return {
    value: () => (checked() ? checked().value : current),
    set: (value) => { const r = $$('input[name="override_avatar"]', grid).find((i) => i.value === (value || "")); if (r) r.checked = true; },
  };
}

function setupNew() {
  const cat = pageData();
  const urlForm = $("#url-form"), briefForm = $("#brief-form"), optForm = $("#options-form");
  let link = null, briefDirty = false;

  const fill = (select, items, value) => select.replaceChildren(...items.map(([v, label]) =>
    el("option", { value: v, selected: v === value, text: label })));
  fill($("#language"), cat.languages.map((l) => [l.code, l.name]), "en");
  fill($("#video_length"), cat.lengths.map((n) => [String(n), `${n} s`]), "15");
  fill($("#script_style"), [["", "Automatic"], ...cat.script_styles.map((s) => [s, s])], "");
  fill($("#caption_style"), [["", "Default"], ...cat.caption_styles.map((s) => [s, s])], "");
  fill($("#music"), [["", "Automatic"], ["none", "No music"], ...cat.musics.map((m) => [m.url, `${m.name} (${m.category})`])], "");
  $("#aspects").replaceChildren(...cat.aspects.map((a) => el("label", { class: "chip" },
    el("input", { type: "checkbox", name: "aspect_ratios", value: a, checked: a === "9x16" }), " " + a.replace("x", ":"))));
  // FullScreenTemplate first and checked: it suits every product; the others follow in catalog order.
  const styles = [...cat.visual_styles].sort((a, b) => (b.name === DEFAULT_STYLE) - (a.name === DEFAULT_STYLE));
  $("#styles").replaceChildren(...styles.map((s) => el("label", { class: "chip", title: "Aspect ratios: " + s.ratios.join(", ") },
    el("input", { type: "checkbox", name: "visual_styles", value: s.name, checked: s.name === DEFAULT_STYLE }), " " + s.name)));

  function voices() {
    const lang = $("#language").value;
    const list = cat.voices.filter((v) => v.language === lang);
    fill($("#override_voice"), [["", "Automatic"], ...list.map((v) => [v.id, `${v.name} · ${v.gender} · ${v.accent}`])], "");
  }
  voices();
  $("#language").addEventListener("change", voices);

  if (cat.personas) setupPersonas(cat);  // "Automatic" checked: no "no presenter" here, the API has no value for it

  const sample = $("#sample");
  function play(url) { if (!url) return; sample.src = url; sample.play().catch(() => {}); }
  $("#play-voice").addEventListener("click", () => {
    const v = cat.voices.find((x) => x.id === $("#override_voice").value) ||
      cat.voices.find((x) => x.language === $("#language").value);
    play(v && v.preview_url);
  });
  $("#play-music").addEventListener("click", () => { const v = $("#music").value; play(v.startsWith("http") ? v : null); });

  const checked = (name) => $$(`input[name="${name}"]:checked`, optForm).map((i) => i.value);
  function cost() {
    const styles = checked("visual_styles"), ratios = checked("aspect_ratios");
    const n = styles.length * ratios.length, len = $("#video_length").value;
    const button = $("#make-previews");
    button.textContent = n > 1 ? `Make ${n} previews` : "Make preview";
    const credits = (n) => `${n} credit${n === 1 ? "" : "s"}`;
    $("#cost").textContent = `Costs ${credits(cat.preview_cost[len])} now; rendering a preview later costs ` +
      `${credits(cat.render_cost[len])}.`;
  }
  optForm.addEventListener("change", cost);
  cost();

  // The caption sample follows the caption style, or for "Default" the first chosen visual style's own.
  function captionSample() {
    const picked = $("#caption_style").value, style = checked("visual_styles")[0] || DEFAULT_STYLE;
    const name = picked || (cat.style_captions || {})[style];
    const img = $("#caption-sample");
    img.hidden = !name;
    if (name) img.src = `/web/caption-samples/${encodeURIComponent(name)}.jpg`;
    $("#caption-sample-name").textContent = name ? `Sample: ${name}${picked ? "" : ` (${style}'s own captions)`}`
      : `${style} draws its own captions.`;
  }
  optForm.addEventListener("change", (e) => {
    if (e.target.id === "caption_style" || e.target.name === "visual_styles") captionSample();
  });
  captionSample();

  function showBrief(data) {
    link = data;
    const inner = data.link || data;
    $("#title").value = inner.title || "";
    $("#description").value = inner.description || "";
    $("#price").textContent = data.price ? `Price: ${data.price.amount} ${data.price.currency || ""}` : "";
    $("#images").replaceChildren(...(inner.image_urls || []).map((u, i) => el("label", { class: "thumb" },
      el("input", { type: "checkbox", name: "image_urls", value: u, checked: true }),
      el("img", { src: u, alt: `Image ${i + 1}`, loading: "lazy" }))));
    const reviews = Array.isArray(inner.reviews) ? inner.reviews : [];
    $("#reviews").replaceChildren(...(reviews.length ? [el("h3", { text: "Reviews" }), el("ul", { class: "reviews" },
      ...reviews.slice(0, 6).map((r) => el("li", {},
        r.rating ? el("span", { class: "stars", text: "★".repeat(Math.round(r.rating)) + " " }) : null,
        el("span", { text: r.text || "" }), r.author ? el("span", { class: "muted small", text: ` — ${r.author}` }) : null)))] : []));
    briefForm.hidden = false; optForm.hidden = false; briefDirty = false;
  }
  briefForm.addEventListener("input", () => { briefDirty = true; });
  briefForm.addEventListener("change", () => { briefDirty = true; });

  urlForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = $("#scrape");
    busy(button, true, "Reading…");
    const r = await api("POST", "/web/api/links/", { url: $("#url").value.trim() });
    busy(button, false);
    showErrors(urlForm, r.ok ? null : r.data);
    if (r.ok) showBrief(r.data);
  });

  async function saveBrief() {
    if (!briefDirty) return true;
    const body = { title: $("#title").value, description: $("#description").value,
      image_urls: $$('input[name="image_urls"]:checked', briefForm).map((i) => i.value) };
    const r = await api("PUT", `/web/api/links/${link.id}/`, body);
    showErrors(briefForm, r.ok ? null : r.data);
    if (r.ok) briefDirty = false;
    return r.ok;
  }

  optForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = $("#make-previews");
    busy(button, true, "Writing the script…");
    if (!(await saveBrief())) { busy(button, false); briefForm.scrollIntoView(); return; }
    const styles = checked("visual_styles"), ratios = checked("aspect_ratios");
    const body = { link: link.id, language: $("#language").value, video_length: parseInt($("#video_length").value, 10) };
    if ($("#script_style").value) body.script_style = $("#script_style").value;
    if ($("#override_voice").value) body.override_voice = $("#override_voice").value;
    if ($("#caption_style").value) body.caption_style = $("#caption_style").value;
    const avatar = $('input[name="override_avatar"]:checked', optForm);
    if (avatar && avatar.value) body.override_avatar = avatar.value;
    const music = $("#music").value;
    if (music === "none") body.no_background_music = true; else if (music) body.background_music_url = music;
    let url;
    if (styles.length === 1 && ratios.length === 1) {
      url = "/web/api/videos/preview/"; body.visual_style = styles[0]; body.aspect_ratio = ratios[0];
    } else {
      url = "/web/api/videos/preview_list_async/"; body.visual_styles = styles; body.aspect_ratios = ratios;
    }
    const r = await api("POST", url, body);
    busy(button, false);
    showErrors(optForm, r.ok ? null : r.data);
    if (r.ok) location.href = url.endsWith("/preview/") ? `/editor/${r.data.id}/` : `/compare/${r.data.id}/`;
  });
}

// ---------------------------------------------------------------- compare

function setupCompare() {
  const data = pageData();
  const box = $("#previews"), status = $("#compare-status"), error = $("#compare-error");
  const shown = new Set();
  let timer = null;
  async function renderOne(mediaJob, button) {
    busy(button, true, "Starting…");
    const r = await api("POST", `/web/api/videos/${data.job_id}/render_single_preview/`, { media_job: mediaJob });
    busy(button, false);
    if (!r.ok) { error.hidden = false; error.textContent = Object.values(r.data).flat().join(" "); return; }
    location.href = "/jobs/";
  }
  async function refresh() {
    const r = await api("GET", `/web/api/videos/${data.job_id}/`);
    if (!r.ok) { status.textContent = r.data.detail || "Could not load the job."; return; }
    const job = r.data, previews = job.previews || [];
    status.textContent = job.status === "failed" ? "" : previews.length ? `${previews.length} previews · ` +
      `rendering one costs ${data.render_cost} credits.` : `Making previews… ${Math.round(parseFloat(job.progress) * 100)}%`;
    if (job.failed_reason) { error.hidden = false; error.textContent = job.failed_reason; }
    for (const p of previews) {
      if (shown.has(p.media_job)) continue;
      shown.add(p.media_job);
      const button = el("button", { type: "button", class: "primary", text: "Render this one" });
      button.addEventListener("click", () => renderOne(p.media_job, button));
      box.append(el("figure", { class: `preview r${p.aspect_ratio}` },
        el("iframe", { src: `/preview/${p.media_job}/`, title: `Preview ${p.visual_style} ${p.aspect_ratio}` }),
        el("figcaption", {}, el("span", { text: `${p.visual_style} · ${p.aspect_ratio.replace("x", ":")}` }),
          el("a", { href: `/editor/${job.id}/?preview=${p.media_job}`, text: "Edit" }), button)));
    }
    if (job.status !== "in_queue" && job.status !== "running" && previews.length && timer) clearInterval(timer);
  }
  refresh();
  timer = setInterval(refresh, 2000);
}

// ---------------------------------------------------------------- editor

// The scenes are a list of {role, text, on_screen, image} drawn from `state`. Every edit (a field left after a
// change, a move, a delete) first pushes the previous state, so Undo steps back through them. Unsaved
// edits survive a reload (sessionStorage) until a re-preview saves them as a new version.
function sceneEditor(data, form) {
  const list = $("#scene-list"), note = $("#scenes-note"), undoButton = $("#undo");
  const draftKey = `linkreel-draft:${data.media_job}`;
  const saved = data.scenes.map((sc) => ({ ...sc }));
  const history = [];
  let state = saved.map((sc) => ({ ...sc }));
  let before = null;  // the state when a field got the focus

  const copy = (st) => st.map((sc) => ({ ...sc }));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const say = (text) => { note.textContent = text; };
  function remember() {
    undoButton.disabled = !history.length;
    if (same(state, saved)) sessionStorage.removeItem(draftKey);
    else sessionStorage.setItem(draftKey, JSON.stringify(state));
  }
  function change(next, message) {
    history.push(copy(state));
    state = next;
    draw();
    remember();
    if (message) say(message);
  }

  function tool(label, aria, onclick, disabled) {
    return el("button", { type: "button", class: "small-button", "aria-label": aria, disabled, onclick, text: label });
  }
  function sceneItem(sc, i) {
    const n = i + 1, last = state.length;
    const line = el("textarea", { id: `line-${n}`, name: "line", rows: 3, maxlength: 600 });
    line.value = sc.text;
    const screen = el("input", { id: `screen-${n}`, name: "on_screen", maxlength: data.max_on_screen, value: sc.on_screen });
    const move = (by) => () => {
      const next = copy(state);
      const [moved] = next.splice(i, 1);
      next.splice(i + by, 0, moved);
      change(next, `Scene ${n} moved to position ${n + by}.`);
      const target = $(`[data-tool="${by < 0 ? "up" : "down"}"]`, list.children[i + by]);
      (target && !target.disabled ? target : $("textarea", list.children[i + by])).focus();
    };
    const remove = () => {
      change(state.filter((_, k) => k !== i), `Scene ${n} deleted. Undo brings it back.`);
      const next = list.children[Math.min(i, state.length - 1)];
      ($('[data-tool="delete"]', next) || undoButton).focus();
    };
    const tools = el("span", { class: "scene-tools" },
      tool("↑ Up", `Move scene ${n} up`, move(-1), i === 0),
      tool("↓ Down", `Move scene ${n} down`, move(1), i === last - 1),
      tool("Delete", `Delete scene ${n}`, remove, last === 1));
    [...tools.children].forEach((b, k) => { b.dataset.tool = ["up", "down", "delete"][k]; });
    return el("li", { class: "scene", "data-role": sc.role },
      el("div", { class: "scene-head" }, el("span", { class: "role", text: sc.role }),
        el("span", { class: "muted small", text: `Scene ${n}` }), tools),
      el("label", { for: `line-${n}`, text: "Spoken line" }), line,
      el("label", { for: `screen-${n}`, text: "On-screen text" }), screen,
      imagePicker(sc, n));
  }
  // One radio per link image and per b-roll clip (its still, marked ▶) plus "Auto" (the storyboard picks);
  // `Scene.image` and `Scene.clip` index them. Radio values: "" (auto), "2" (image 3), "clip-0" (clip 1).
  function imagePicker(sc, n) {
    const clips = data.clips || [];
    if ((!data.images.length && !clips.length) || (sc.role === "cta" && data.look.end_card)) return null;  // the end card has no photo
    const picked = sc.clip != null ? `clip-${sc.clip}` : sc.image != null ? String(sc.image) : "";
    const option = (value, title, picture) => el("label", { class: "pick", title },
      el("input", { type: "radio", name: `image-${n}`, id: `image-${n}-${value || "auto"}`, value, checked: picked === value }),
      picture);
    const still = (src, alt) => el("img", { src, alt, width: 56, height: 56, loading: "lazy" });
    return el("fieldset", { class: "image-pick" }, el("legend", { text: clips.length ? "Image or clip" : "Image" }),
      el("div", { class: "picks" }, option("", "Let the storyboard choose", el("span", { text: "Auto" })),
        ...data.images.map((src, k) => option(String(k), `Image ${k + 1}`, still(src, `Image ${k + 1}`))),
        ...clips.map((src, k) => option(`clip-${k}`, `Clip ${k + 1}`, el("span", { class: "clip-still" },
          still(src, `Clip ${k + 1}`), el("span", { class: "play", "aria-hidden": "true", text: "▶" }))))));
  }
  // A picker radio's value → the scene's {image, clip} and what to say about it.
  function picked(value, n) {
    if (value.startsWith("clip-")) { const k = parseInt(value.slice(5), 10); return [{ image: null, clip: k }, `Scene ${n} shows clip ${k + 1}.`]; }
    if (value === "") return [{ image: null, clip: null }, `Scene ${n}: the storyboard picks the image.`];
    const k = parseInt(value, 10);
    return [{ image: k, clip: null }, `Scene ${n} shows image ${k + 1}.`];
  }
  function draw() { list.replaceChildren(...state.map(sceneItem)); }

  // Typing: one undo step per field visit (focus → change), not per keystroke.
  list.addEventListener("focusin", (e) => { if (e.target.matches("textarea, input")) before = copy(state); });
  list.addEventListener("change", (e) => {
    const li = e.target.closest("li"), i = [...list.children].indexOf(li);
    if (i < 0) return;
    if (e.target.type === "radio") {  // an image or clip pick: one undo step; the focus stays on the pick
      const n = i + 1, [pick, message] = picked(e.target.value, n);
      change(state.map((sc, j) => (j === i ? { ...sc, ...pick } : sc)), message);
      $(`#image-${n}-${e.target.value || "auto"}`).focus();
      return;
    }
    history.push(before || copy(state));
    state[i] = { ...state[i], [e.target.name === "line" ? "text" : "on_screen"]: e.target.value };
    before = copy(state);
    remember();
  });
  undoButton.addEventListener("click", () => {
    if (!history.length) return;
    state = history.pop();
    draw();
    remember();
    say("Undone.");
  });

  const draft = sessionStorage.getItem(draftKey);
  if (draft) {
    try {
      const restored = JSON.parse(draft);
      if (Array.isArray(restored) && restored.length && !same(restored, saved)) {
        history.push(copy(state));
        state = restored;
        say("Your unsaved edits were restored. Undo brings back the saved version.");
      }
    } catch (e) { sessionStorage.removeItem(draftKey); }
  }
  draw();
  remember();
  return {
    // A change still being typed (no blur yet) belongs to the scenes that are sent.
    scenes: () => state.map((sc, i) => { const li = list.children[i];
      return { ...sc, text: $("textarea", li).value, on_screen: $('input[name="on_screen"]', li).value }; }),
    saved: () => sessionStorage.removeItem(draftKey),
  };
}

// Presenter, voice, music, volumes, caption style and caption position: the fields a re-preview sends besides
// the scenes (contract §3.2 names; null = the default; the presenter only when changed, "none" for no
// presenter). Unsaved choices survive a reload like the scenes do.
function lookEditor(data) {
  const look = data.look, cur = look.current, key = `linkreel-look:${data.media_job}`;
  const presenter = data.avatar.slot ? setupPersonas(data.avatar,
    { current: data.avatar.current, matched: data.avatar.matched, none: data.avatar.none }) : null;
  const voice = $("#ed-voice"), music = $("#ed-music"), captionStyle = $("#ed-caption-style");
  const volumes = ["background_music_volume", "voiceover_volume"].map((name) => $(`#ed-${name}`));
  const frame = $("#caption-frame"), box = $("#caption-box"), now = $("#caption-position-now");
  const inX = $("#ed-offset-x"), inY = $("#ed-offset-y");
  const sample = $("#ed-sample");
  let offset = (cur.caption_setting && cur.caption_setting.offset) || null;
  if (offset) offset = { x: offset.x || 0, y: offset.y || 0 };
  const photo = $("#caption-frame-image"), first = data.scenes.length ? data.scenes[0].image : null;
  if (photo && first !== null && first !== undefined && data.images[first]) photo.src = data.images[first];
  const safe = look.safe_area, pct = (v) => `${v * 100}%`;
  const safeBox = el("div", { class: "safe-area", "aria-hidden": "true" });
  Object.assign(safeBox.style, { left: pct(safe.x), top: pct(safe.y), width: pct(safe.w), height: pct(safe.h) });
  frame.insertBefore(safeBox, box);

  function play(url) { if (!url) return; sample.src = url; sample.play().catch(() => {}); }
  $("#ed-play-voice").addEventListener("click", () => {
    const v = look.voices.find((x) => x.id === voice.value) || look.voices[0];
    play(v && v.preview_url);
  });
  $("#ed-play-music").addEventListener("click", () => play(music.value.startsWith("http") ? music.value : null));

  const percent = (input) => { $(`#${input.id}-out`).textContent = `${Math.round(parseFloat(input.value) * 100)} %`; };
  volumes.forEach((input) => input.addEventListener("input", () => { input.dataset.set = "1"; percent(input); }));

  // The caption box sits where its centre will be: offset from the frame centre, y down (fractions).
  // The renderer keeps captions inside the safe area, so the box's centre stays inside it too.
  const range = { x: [safe.x - 0.5, safe.x + safe.w - 0.5], y: [safe.y - 0.5, safe.y + safe.h - 0.5] };
  const clamp = (v, axis) => Math.round(Math.min(range[axis][1], Math.max(range[axis][0], v)) * 100) / 100;
  [[inX, "x"], [inY, "y"]].forEach(([input, axis]) => { input.min = range[axis][0].toFixed(2); input.max = range[axis][1].toFixed(2); });
  function place(announce) {
    const o = offset || look.caption_centre;
    box.style.left = `${(0.5 + o.x) * 100}%`;
    box.style.top = `${(0.5 + o.y) * 100}%`;
    inX.value = offset ? offset.x.toFixed(2) : ""; inY.value = offset ? offset.y.toFixed(2) : "";
    inX.placeholder = look.caption_centre.x.toFixed(2); inY.placeholder = look.caption_centre.y.toFixed(2);
    if (announce) now.textContent = offset ? `Captions centred ${offset.x.toFixed(2)} across and ${offset.y.toFixed(2)} ` +
      "down from the middle of the frame." : "Captions where the visual style puts them.";
  }
  function set(x, y, announce) { offset = { x: clamp(x, "x"), y: clamp(y, "y") }; place(announce); save(); }
  let dragging = null;  // the pointer's distance from the box centre when the drag began
  function pointerAt(e) {
    const r = frame.getBoundingClientRect();
    return { x: (e.clientX - r.left) / r.width - 0.5, y: (e.clientY - r.top) / r.height - 0.5 };
  }
  frame.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    const p = pointerAt(e), o = offset || look.caption_centre;
    dragging = e.target === box ? { x: p.x - o.x, y: p.y - o.y } : { x: 0, y: 0 };  // a click elsewhere moves it there
    frame.setPointerCapture(e.pointerId);
    set(p.x - dragging.x, p.y - dragging.y, false);
    box.focus();
  });
  frame.addEventListener("pointermove", (e) => { if (dragging) { const p = pointerAt(e); set(p.x - dragging.x, p.y - dragging.y, false); } });
  const drop = () => { if (dragging) { dragging = null; place(true); } };
  frame.addEventListener("pointerup", drop);
  frame.addEventListener("pointercancel", drop);
  const KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  box.addEventListener("keydown", (e) => {
    const k = KEYS[e.key];
    if (!k) return;
    e.preventDefault();
    const o = offset || look.caption_centre, step = e.shiftKey ? 0.05 : 0.01;
    set(o.x + k[0] * step, o.y + k[1] * step, true);
  });
  const typed = () => {
    const x = parseFloat(inX.value), y = parseFloat(inY.value);
    set(Number.isNaN(x) ? look.caption_centre.x : x, Number.isNaN(y) ? look.caption_centre.y : y, true);
  };
  inX.addEventListener("change", typed);
  inY.addEventListener("change", typed);
  $("#caption-reset").addEventListener("click", () => { offset = null; place(true); save(); });

  function body() {
    const out = { override_voice: voice.value || null, no_background_music: music.value === "none",
      background_music_url: music.value && music.value !== "none" ? music.value : null,
      caption_style: captionStyle.value || null };
    volumes.forEach((input) => { out[input.name] = input.dataset.set ? parseFloat(input.value) : null; });
    const setting = { ...(cur.caption_setting || {}) };
    delete setting.offset;
    if (offset) setting.offset = offset;
    if (captionStyle.value && setting.style) setting.style = captionStyle.value;  // caption_setting.style wins
    else delete setting.style;
    out.caption_setting = Object.keys(setting).length ? setting : null;
    if (presenter && presenter.value() !== (data.avatar.current || "")) out.override_avatar = presenter.value() || null;
    return out;
  }
  function save() { sessionStorage.setItem(key, JSON.stringify({ body: body(), offset })); }
  function restore() {
    let draft;
    try { draft = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { draft = null; }
    if (!draft) return;
    const b = draft.body;
    voice.value = b.override_voice || "";
    music.value = b.no_background_music ? "none" : b.background_music_url || "";
    captionStyle.value = b.caption_style || "";
    if (presenter && "override_avatar" in b) presenter.set(b.override_avatar);
    volumes.forEach((input) => {
      if (b[input.name] === null) return;
      input.value = b[input.name]; input.dataset.set = "1"; percent(input);
    });
    offset = draft.offset;
  }
  restore();
  place(true);
  [voice, music, captionStyle, ...volumes].forEach((c) => c.addEventListener("change", save));
  if (presenter) $("#personas").addEventListener("change", save);
  return { body, saved: () => sessionStorage.removeItem(key) };
}

// Follows one job (the render) over server-sent events, or by polling when EventSource cannot.
function followJob(jobId, onJob) {
  let timer = null;
  const poll = () => {
    if (timer) return;
    const tick = async () => { const r = await api("GET", `/web/api/videos/${jobId}/`); if (r.ok && onJob(r.data)) clearInterval(timer); };
    timer = setInterval(tick, 2000);
    tick();
  };
  if (!window.EventSource) { poll(); return; }
  const stream = new EventSource(`/web/api/events/?job=${jobId}`);
  const take = (e) => { const d = JSON.parse(e.data); const job = d.jobs ? d.jobs[0] : d; if (job && onJob(job)) stream.close(); };
  stream.addEventListener("jobs", take);
  stream.addEventListener("job", take);
  stream.addEventListener("end", () => stream.close());
  stream.addEventListener("error", () => { if (stream.readyState === EventSource.CLOSED) poll(); });
}

function setupEditor() {
  const data = pageData();
  if (data.waiting) { setTimeout(() => location.reload(), 3000); }
  const form = $("#scenes-form"), error = $("#editor-error");
  if (!$("#repreview")) return;
  const scenes = sceneEditor(data, form), look = lookEditor(data);
  const fail = (r) => { showErrors(form, r.data); if (!$$("[data-error-for]:not([hidden])", form).length) {
    error.hidden = false; error.textContent = Object.values(r.data).flat().join(" "); } };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = $("#repreview");
    busy(button, true, "Re-previewing…");
    error.hidden = true;
    const r = await api("POST", `/web/api/videos/${data.job_id}/repreview/`,
      { scenes: scenes.scenes(), media_job: data.media_job, ...look.body() });
    busy(button, false);
    if (r.ok) { scenes.saved(); look.saved(); location.href = `/editor/${r.data.id}/`; } else fail(r);
  });
  const renderButton = $("#render-btn");
  if (renderButton) renderButton.addEventListener("click", async (e) => {
    const button = e.target;
    busy(button, true, "Starting…");
    const r = data.kind === "preview_list"
      ? await api("POST", `/web/api/videos/${data.job_id}/render_single_preview/`, { media_job: data.media_job })
      : await api("POST", `/web/api/videos/${data.job_id}/render/`);
    if (!r.ok) { busy(button, false); fail(r); return; }
    watchRender(button);
  });
  function watchRender(button) {
    const out = $("#render-result");
    followJob(data.job_id, (job) => {
      $("#job-status").textContent = job.status;
      if (job.status === "done" && job.video_output) {
        button.textContent = "Rendered";
        out.replaceChildren(el("a", { class: "button primary", id: "download", href: job.video_output, download: "", text: "Download MP4" }),
          job.video_thumbnail ? el("a", { class: "button", href: job.video_thumbnail, download: "", text: "Thumbnail" }) : "");
        return true;
      }
      if (job.status === "failed") { busy(button, false); error.hidden = false; error.textContent = job.failed_reason; return true; }
      out.textContent = `Rendering… ${Math.round(parseFloat(job.progress) * 100)}%`;
      return false;
    });
  }
}

const SETUP = { jobs: setupJobs, new: setupNew, compare: setupCompare, editor: setupEditor };
document.addEventListener("DOMContentLoaded", () => { const f = SETUP[document.body.dataset.page]; if (f) f(); });
