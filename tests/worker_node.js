/*
 * Runs the site's search worker (overrides/assets/javascripts/kb-search-worker.js) in Node.js,
 * without a browser, for tests/test_query_agreement.py.
 *
 * Usage: node worker_node.js <worker.js>. The first stdin line is the worker's data file (JSON);
 * every further line is a JSON array of queries, answered by one line: for each query
 * {plan, fallback, coverage}: the worker's own kbSearch.plan(query), kbSearch.fallback(plan.text),
 * and the coverage of the plan's units by a page holding every other term of the plan.
 */
"use strict";

const fs = require("fs");
const readline = require("readline");
const vm = require("vm");

const source = fs.readFileSync(process.argv[2], "utf8");
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let ready = null;

lines.on("line", async (line) => {
  if (ready === null) {
    const data = JSON.parse(line);
    // What a worker global offers and the worker uses: self, its location, fetch, messages.
    globalThis.self = globalThis;
    globalThis.location = { href: "http://127.0.0.1/assets/javascripts/kb-search-worker.js" };
    globalThis.fetch = () => Promise.resolve({ ok: true, json: () => Promise.resolve(data) });
    globalThis.addEventListener = () => {};
    globalThis.postMessage = () => {};
    vm.runInThisContext(source, { filename: process.argv[2] });
    ready = globalThis.kbSearch.ready();
    if (!(await ready)) throw new Error("the worker did not load its data");
    process.stdout.write("ready\n");
    return;
  }
  await ready;
  const answers = JSON.parse(line).map((query) => {
    const plan = globalThis.kbSearch.plan(query);
    const held = plan.terms.filter((_, i) => i % 2 === 0);
    return { plan: plan, fallback: globalThis.kbSearch.fallback(plan.text),
             coverage: globalThis.kbSearch.coverage(plan.units, held) };
  });
  process.stdout.write(JSON.stringify(answers) + "\n");
});
