/**
 * The package's one door to papaparse, the CSV library. The build replaces this module's compiled
 * output with papaparse bundled in (gulpfile.js, `build:bundle`), so the published package has no
 * runtime dependency.
 */
export { parse, unparse } from 'papaparse';
