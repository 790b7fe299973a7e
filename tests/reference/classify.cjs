// Black-box runner for the published ISNCSCI reference (npm isncsci 2.0.6), used only by the
// optional differential test and by `make test-reference`. Reads flat exams as JSON Lines on
// stdin and writes the 25 flat result keys (plus "id") as JSON Lines on stdout. `input` (the
// reference's input object of a flat exam) is shared with throughput.cjs.
"use strict";
const { ISNCSCI } = require("isncsci");
const readline = require("readline");

const SENSORY = ["C2", "C3", "C4", "C5", "C6", "C7", "C8", "T1", "T2", "T3", "T4", "T5", "T6",
  "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4_5"];
const MOTOR = ["C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1"];

function side(flat, name) {
  const out = { motor: {}, lightTouch: {}, pinPrick: {} };
  for (const l of SENSORY) {
    const k = l.toLowerCase();
    out.lightTouch[l] = flat[k + name + "Touch"];
    out.pinPrick[l] = flat[k + name + "Prick"];
  }
  for (const l of MOTOR) out.motor[l] = flat[l.toLowerCase() + name + "Motor"];
  const nk = flat[name.toLowerCase() + "LowestNonKeyMuscleWithMotorFunction"];
  if (nk) out.lowestNonKeyMuscleWithMotorFunction = nk;
  return out;
}

function input(flat) {
  return {
    right: side(flat, "Right"), left: side(flat, "Left"),
    voluntaryAnalContraction: flat.analContraction, deepAnalPressure: flat.analSensation,
  };
}

function classify(flat) {
  const r = new ISNCSCI(input(flat));
  const c = r.classification, t = r.totals;
  const out = {};
  if (flat.id !== undefined) out.id = flat.id;
  Object.assign(out, {
    rightUpperMotorTotal: t.right.upperExtremity, leftUpperMotorTotal: t.left.upperExtremity,
    rightLowerMotorTotal: t.right.lowerExtremity, leftLowerMotorTotal: t.left.lowerExtremity,
    rightTouchTotal: t.right.lightTouch, leftTouchTotal: t.left.lightTouch,
    rightPrickTotal: t.right.pinPrick, leftPrickTotal: t.left.pinPrick,
    rightMotorTotal: t.right.motor, leftMotorTotal: t.left.motor,
    upperMotorTotal: t.upperExtremity, lowerMotorTotal: t.lowerExtremity,
    touchTotal: t.lightTouch, prickTotal: t.pinPrick,
    rightSensory: c.neurologicalLevels.sensoryRight, leftSensory: c.neurologicalLevels.sensoryLeft,
    rightMotor: c.neurologicalLevels.motorRight, leftMotor: c.neurologicalLevels.motorLeft,
    neurologicalLevelOfInjury: c.neurologicalLevelOfInjury,
    rightSensoryZpp: c.zoneOfPartialPreservations.sensoryRight,
    leftSensoryZpp: c.zoneOfPartialPreservations.sensoryLeft,
    rightMotorZpp: c.zoneOfPartialPreservations.motorRight,
    leftMotorZpp: c.zoneOfPartialPreservations.motorLeft,
    asiaImpairmentScale: c.ASIAImpairmentScale, injuryComplete: c.injuryComplete,
  });
  return out;
}

module.exports = { input };

if (require.main === module) {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    process.stdout.write(JSON.stringify(classify(JSON.parse(line))) + "\n");
  });
}
