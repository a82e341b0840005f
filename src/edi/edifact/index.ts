/** The EDIFACT syntax of the hub: read and validate an interchange, build and read CONTRL. */
export { readEdifact, type ReadEdifactOptions } from './read.js';
export { buildContrl, readContrl, type BuildContrlOptions, type ContrlReport, type ContrlMessageReport, type ContrlError } from './contrl.js';
export { messageSpec, supportedMessages, type MessageSpec } from './specs/index.js';
export { SUPPORTED_SYNTAX_IDENTIFIERS } from './charset.js';
export { validateMessage, matchStructure, type CheckContext } from './validate.js';
export { buildTree, segmentObject } from './tree.js';
