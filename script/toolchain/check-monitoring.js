#!/usr/bin/env node
// Checks the operator monitoring files in docs/monitoring/ against the code (`make monitoring-check`):
// - every metric named in the alert rules, their unit tests' series and the Grafana dashboards'
//   queries is one the bots export (a `"keeper_…"`, `"reward_agent_…"` or `"redeemer_…"` literal in
//   the bots' sources);
// - each dashboard is importable as it is: JSON, a unique uid, every query on the `${datasource}`
//   variable;
// - `--rules-out FILE` writes every dashboard query as a recording rule, so `promtool check rules
//   FILE` checks their PromQL.
// `--self-test` fails unless an unknown metric and a dashboard without the variable are refused.
"use strict";

const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");
const dir = path.join(root, "docs", "monitoring");
const read = (abs) => fs.readFileSync(abs, "utf8");

function filesUnder(abs, ext) {
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(abs, e.name);
    if (e.isDirectory()) return filesUnder(p, ext);
    return e.name.endsWith(ext) ? [p] : [];
  });
}

const BOT_METRIC = /\b((?:keeper|reward_agent|redeemer)_[a-z0-9_]*[a-z0-9])\b/g;

// Metric names the bots export: the string literals of their sources.
function exported() {
  const names = new Set();
  for (const crate of ["keeper", "reward-agent", "redeemer"]) {
    for (const f of filesUnder(path.join(root, "crates", crate, "src"), ".rs")) {
      for (const m of read(f).matchAll(/"((?:keeper|reward_agent|redeemer)_[a-z0-9_]+)[{"]/g)) names.add(m[1]);
    }
  }
  return names;
}

function unknownMetrics(where, text, names) {
  return [...text.matchAll(BOT_METRIC)].filter((m) => !names.has(m[1])).map((m) => `${where}: metric ${m[1]} is not exported by any bot`);
}

// Every query of a dashboard, with where it is.
function queries(dashboard) {
  const out = [];
  const walk = (panels) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) out.push({ panel: p, target: t });
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

function checkDashboard(rel, text, names, uids) {
  let d;
  try {
    d = JSON.parse(text);
  } catch (e) {
    return [`${rel}: not JSON (${e.message})`];
  }
  const problems = [];
  if (!d.uid || !d.title) problems.push(`${rel}: no uid or title`);
  if (uids.has(d.uid)) problems.push(`${rel}: uid ${d.uid} is used by another dashboard`);
  uids.add(d.uid);
  if (!(d.templating?.list ?? []).some((v) => v.type === "datasource" && v.name === "datasource")) {
    problems.push(`${rel}: no \`datasource\` variable (operators pick their Prometheus on import)`);
  }
  const qs = queries(d);
  if (qs.length === 0) problems.push(`${rel}: no queries`);
  for (const { panel, target } of qs) {
    const where = `${rel} panel "${panel.title}"`;
    if (panel.datasource?.uid !== "${datasource}" || target.datasource?.uid !== "${datasource}") {
      problems.push(`${where}: not on the \${datasource} variable`);
    }
    if (!target.expr) problems.push(`${where}: a target without a query`);
    else problems.push(...unknownMetrics(where, target.expr, names));
  }
  return problems;
}

// The rules' expressions and the tests' series names.
function checkRules(rel, text, names) {
  const lines = text.split("\n").filter((l) => /^\s*(expr:|- ?\{?series:|series:)/.test(l) || /\{series:/.test(l));
  return unknownMetrics(rel, lines.join("\n"), names);
}

function check(names) {
  const problems = [];
  const uids = new Set();
  for (const f of filesUnder(dir, ".yml")) problems.push(...checkRules(path.relative(root, f), read(f), names));
  const dashboards = filesUnder(path.join(dir, "grafana"), ".json");
  if (dashboards.length === 0) problems.push("docs/monitoring/grafana: no dashboards");
  for (const f of dashboards) problems.push(...checkDashboard(path.relative(root, f), read(f), names, uids));
  return problems;
}

// Every dashboard query as a recording rule (template variables replaced), for `promtool check rules`.
function rulesOf() {
  const rules = [];
  for (const f of filesUnder(path.join(dir, "grafana"), ".json")) {
    const d = JSON.parse(read(f));
    queries(d).forEach(({ target }, i) => {
      const expr = target.expr.replace(/\$instance/g, ".+");
      rules.push(`      - record: dashboard:${d.uid.replace(/-/g, "_")}:${i}\n        expr: ${JSON.stringify(expr)}`);
    });
  }
  return `groups:\n  - name: dashboard-queries\n    rules:\n${rules.join("\n")}\n`;
}

function selfTest(names) {
  const badMetric = checkRules("self-test", "        expr: keeper_no_such_metric > 0", names).length === 1;
  const goodMetric = checkRules("self-test", "        expr: keeper_current_round > 0", names).length === 0;
  const noVariable = JSON.stringify({ uid: "x", title: "x", templating: { list: [] }, panels: [{ title: "p", datasource: { uid: "prom" }, targets: [{ expr: "keeper_current_round", datasource: { uid: "prom" } }] }] });
  const refusesDashboard = checkDashboard("self-test", noVariable, names, new Set()).length >= 2;
  if (!badMetric || !goodMetric || !refusesDashboard) {
    console.error("check-monitoring self-test failed:", { badMetric, goodMetric, refusesDashboard });
    process.exit(1);
  }
  console.log("check-monitoring self-test: an unknown metric and a dashboard without the datasource variable are refused");
}

const names = exported();
if (process.argv.includes("--self-test")) selfTest(names);
const out = process.argv.indexOf("--rules-out");
if (out !== -1) fs.writeFileSync(process.argv[out + 1], rulesOf());
const problems = check(names);
if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`check-monitoring: ${problems.length} problem(s) in docs/monitoring/`);
  process.exit(1);
}
console.log(`check-monitoring: every metric in docs/monitoring/ is exported by a bot (${names.size} exported)`);
