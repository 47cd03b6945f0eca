// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum GitHub-style tokens carry.
// Computed bit by bit: keys are ~50 bytes, so a lookup table would only add import-time state.
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}
