#!/usr/bin/env node
// Prints what the iced-x86 oracle decodes for hex byte strings (64-bit mode), for spec authors:
//   node scripts/iced.js "0f 58 c1" "62f17c48584424 01"
const path = require('path');
const ice = require(path.join(__dirname, '..', 'tools', 'oracle', 'node_modules', 'iced-x86'));
const { Decoder, DecoderOptions, Formatter, FormatterSyntax, Code, Mnemonic, OpKind, Register, MemorySize } = ice;
const fmt = new Formatter(FormatterSyntax.Intel);
for (const arg of process.argv.slice(2)) {
  const hex = arg.replace(/[^0-9a-fA-F]/g, '');
  const bytes = Uint8Array.from(hex.match(/../g).map(h => parseInt(h, 16)));
  const d = new Decoder(64, bytes, DecoderOptions.None);
  d.ip = 0x1000n;
  const i = d.decode();
  const ops = [];
  for (let k = 0; k < i.opCount; k++) {
    const kind = i.opKind(k);
    let s = OpKind[kind];
    if (kind === OpKind.Register) s += ':' + Register[i.opRegister(k)];
    if (kind === OpKind.Memory) s += ':' + MemorySize[i.memorySize] + '[' + Register[i.memoryBase] + '+' + Register[i.memoryIndex] + '*' + i.memoryIndexScale + '+' + i.memoryDisplacement + ']';
    ops.push(s);
  }
  console.log(`${arg} => len=${i.length} ${i.isInvalid ? 'INVALID' : Code[i.code]} mnem=${Mnemonic[i.mnemonic]} ops=[${ops.join(', ')}] text="${fmt.format(i)}"`);
  i.free(); d.free();
}
