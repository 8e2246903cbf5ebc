#!/usr/bin/env node
// Side-by-side reference for DecodeBenchmark: iced-x86 (npm build: Rust compiled to WebAssembly)
// decoding the same .text bytes with operands, on this machine, in the same run.
//   node iced-decode-bench.js TEXT_FILE [SECONDS]
// Prints: "iced-x86 (wasm, node): N MB/s (best of R sweeps, I instructions per sweep)".
const path = require('path');
const fs = require('fs');
const ice = require(path.join(__dirname, '..', '..', '..', '..', 'tools', 'oracle', 'node_modules', 'iced-x86'));
const file = process.argv[2];
const seconds = Number(process.argv[3] || 10);
if (!file) { console.error('usage: iced-decode-bench.js TEXT_FILE [SECONDS]'); process.exit(2); }
const bytes = fs.readFileSync(file);
const decoder = new ice.Decoder(64, bytes, ice.DecoderOptions.None);
const insn = new ice.Instruction();
let best = 0, sweeps = 0, count = 0;
const stop = Date.now() + seconds * 1000;
while (Date.now() < stop) {
  decoder.position = 0;
  decoder.ip = 0x1000n;
  count = 0;
  const t = process.hrtime.bigint();
  while (decoder.canDecode) {
    decoder.decodeOut(insn);
    count++;
  }
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  best = Math.max(best, bytes.length / s / 1e6);
  sweeps++;
}
console.log(`iced-x86 (wasm, node): ${best.toFixed(1)} MB/s (best of ${sweeps} sweeps, ${count} instructions per sweep)`);
