import { HubError } from '../errors/hub-error.js';

const DECLARED_ENCODING = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

/**
 * Turns the posted bytes into text the way an XML parser would: a UTF-8 or UTF-16 byte-order mark wins,
 * then the encoding the XML declaration names, else UTF-8. Invalid byte sequences are HUB_ERR_XML_MALFORMED.
 */
export function decodeXml(bytes: Uint8Array): string {
  let label = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [label, start] = ['utf-16le', 2];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [label, start] = ['utf-16be', 2];
  // UTF-16 without a byte-order mark, recognised by "<?" as XML 1.0 appendix F does.
  else if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) label = 'utf-16le';
  else if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) label = 'utf-16be';
  else {
    const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
    const declared = DECLARED_ENCODING.exec(head)?.[1];
    if (declared) label = declared.toLowerCase();
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new HubError('HUB_ERR_XML_MALFORMED', `The XML declaration names encoding "${label}", which the hub does not support; send UTF-8.`);
  }
  try {
    return decoder.decode(bytes.subarray(start));
  } catch {
    throw new HubError('HUB_ERR_XML_MALFORMED', `The document is not valid ${label}: it contains an invalid byte sequence.`);
  }
}
