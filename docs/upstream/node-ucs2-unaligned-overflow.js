// Reproduction, ready to report upstream: Buffer#toString('utf16le') of a slice that starts at an odd address,
// has an odd byte length and holds more than 256 UTF-16 code units writes one byte past a heap buffer on
// Node 24.16.0-24.21.0. See node-ucs2-unaligned-overflow.md beside this file.
//
//   LD_PRELOAD=/lib/x86_64-linux-gnu/libc_malloc_debug.so.0 GLIBC_TUNABLES=glibc.malloc.check=3 node node-ucs2-unaligned-overflow.js
//   valgrind node --jitless node-ucs2-unaligned-overflow.js
//
// 516 bytes of '<' (0x3c); the slice from offset 1 is 515 bytes: 257 code units plus one odd byte.
const buf = Buffer.allocUnsafeSlow(516).fill(0x3c);
buf.subarray(1).toString('utf16le');
console.log(process.version, 'no overflow detected');
