/**
 * Where the mapping layer finds things. The project root is the folder holding package.json; paths in
 * messages are shown relative to it. (The helpers live in src/util/project-root.ts; re-exported here so
 * mapping code and its callers have one import.)
 */
export { displayPath, projectRoot } from '../util/project-root.js';
