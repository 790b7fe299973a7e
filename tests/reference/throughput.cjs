// Classify-only throughput of the published ISNCSCI reference (npm isncsci 2.0.6), used as a black
// box by benchmarks/batch_throughput.py. Reads flat exams as JSON Lines from the file named on the
// command line and builds the reference's input objects exactly as classify.cjs does, outside the
// timed loop; times only `new ISNCSCI(...)` and reading `.classification` and `.totals`, best of
// RUNS passes over all exams (default 3). Prints one JSON object: exams, runs, best seconds and
// exams per second.
//
//   node tests/reference/throughput.cjs exams.jsonl [RUNS]
"use strict";
const fs = require("fs");
const { ISNCSCI } = require("isncsci");
const { input } = require("./classify.cjs");

const [path, runsArg] = process.argv.slice(2);
if (!path) {
  process.stderr.write("usage: node throughput.cjs exams.jsonl [RUNS]\n");
  process.exit(2);
}
const runs = Number(runsArg || 3);
const inputs = fs.readFileSync(path, "utf8").split("\n").filter((line) => line.trim())
  .map((line) => input(JSON.parse(line)));

let sink = 0; // read results feed this, so the work cannot be skipped
let best = Infinity;
for (let run = 0; run < runs; run++) {
  const start = process.hrtime.bigint();
  for (const exam of inputs) {
    const r = new ISNCSCI(exam);
    const c = r.classification, t = r.totals;
    if (c && t) sink++;
  }
  best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
}
if (sink !== runs * inputs.length) throw new Error("a classification or totals was missing");
process.stdout.write(JSON.stringify({
  exams: inputs.length, runs, seconds: best, exams_per_second: inputs.length / best,
}) + "\n");
