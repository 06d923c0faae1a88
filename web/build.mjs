// Build the web page into the Python package: esbuild bundles src/main.js (with MapLibre GL JS) and its CSS;
// the MapLibre worker, the Natural Earth basemap (world-atlas), Swagger UI and ReDoc are copied as published.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "orbitshare", "web", "static");
const vendor = join(out, "vendor");
const nm = join(here, "node_modules");
mkdirSync(vendor, { recursive: true });

await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  outfile: join(out, "app.js"),
  legalComments: "eof",
  logLevel: "warning",
});

const copies = [
  ["maplibre-gl/dist/maplibre-gl-worker.mjs", "maplibre-gl-worker.mjs"],
  ["maplibre-gl/LICENSE.txt", "LICENSE.maplibre-gl.txt"],
  ["world-atlas/countries-110m.json", "countries-110m.json"],
  ["world-atlas/LICENSE", "LICENSE.world-atlas.txt"],
  ["topojson-client/LICENSE", "LICENSE.topojson-client.txt"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
  ["swagger-ui-dist/LICENSE", "LICENSE.swagger-ui.txt"],
  ["redoc/bundles/redoc.standalone.js", "redoc.standalone.js"],
  ["redoc/LICENSE", "LICENSE.redoc.txt"],
];
for (const [from, to] of copies) copyFileSync(join(nm, from), join(vendor, to));
// The page itself and its icon are sources, copied unchanged.
for (const name of ["index.html", "favicon.svg"]) copyFileSync(join(here, "src", name), join(out, name));
const version = JSON.parse(readFileSync(join(nm, "maplibre-gl", "package.json"))).version;
writeFileSync(join(vendor, "VERSIONS.txt"), ["maplibre-gl", "world-atlas", "topojson-client", "swagger-ui-dist", "redoc"]
  .map((p) => `${p} ${JSON.parse(readFileSync(join(nm, p, "package.json"))).version}`).join("\n") + "\n");
console.log(`built ${out} (maplibre-gl ${version})`);
