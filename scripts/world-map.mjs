// Projects world-atlas's Natural Earth shapes into data/world-map.json
// (written to standard output). Run by scripts/world-map.sh, which installs
// the packages beside a copy of this file and sets the environment it reads:
//   WM_ATLAS      the world-atlas package directory
//   WM_RESOLUTION the topology the shapes come from (50m)
//   WM_KEEP       the share of the points topojson-simplify keeps (0.05)
//   WM_MIN_SIZE   a shape narrower and lower than this many pixels also
//                 gets a marker (5)
//   WM_ISO        Debian iso-codes' iso_3166-1.json (numeric -> alpha-3)
//   WM_UN         data/un-membership.json: every state listed there must
//                 end up with a shape or a marker, or nothing is written
//   WM_SOURCE     the provenance object, as JSON
import fs from 'fs'
import {feature} from 'topojson-client'
import {presimplify, simplify, quantile} from 'topojson-simplify'
import {geoEqualEarth, geoPath, geoCentroid, geoArea} from 'd3-geo'

const env = process.env
const atlas = env.WM_ATLAS
const WIDTH = 1000
const MIN_SIZE = Number(env.WM_MIN_SIZE ?? 5) // px: smaller shapes get a marker
const read = (p) => JSON.parse(fs.readFileSync(p, 'utf8'))
const iso = read(env.WM_ISO)['3166-1']
const alpha3 = new Map(iso.map((e) => [e.numeric, e.alpha_3]))

// Simplify the coarse topology (shared borders stay shared), then project.
let coarse = presimplify(read(`${atlas}/countries-${env.WM_RESOLUTION}.json`))
coarse = simplify(coarse, quantile(coarse, Number(env.WM_KEEP)))
const shapes = feature(coarse, coarse.objects.countries).features
const fine = feature(read(`${atlas}/countries-10m.json`), read(`${atlas}/countries-10m.json`).objects.countries).features

const projection = geoEqualEarth().fitWidth(WIDTH, {type: 'Sphere'})
const HEIGHT = Math.ceil(geoPath(projection).bounds({type: 'Sphere'})[1][1])

// A path context that writes whole pixels, relative after each ring's
// first point, and drops points that round onto the previous one.
function pathOf(geometry) {
  const rings = []
  let ring = null
  const ctx = {
    moveTo(x, y) { ring = [[Math.round(x), Math.round(y)]]; rings.push(ring) },
    lineTo(x, y) {
      const p = [Math.round(x), Math.round(y)], q = ring[ring.length - 1]
      if (p[0] !== q[0] || p[1] !== q[1]) ring.push(p)
    },
    closePath() {}, arc() {}
  }
  geoPath(projection, ctx)(geometry)
  let d = ''
  const box = [Infinity, Infinity, -Infinity, -Infinity]
  for (const r of rings) {
    if (r.length > 1 && r[r.length - 1][0] === r[0][0] && r[r.length - 1][1] === r[0][1]) r.pop()
    if (r.length < 3) continue
    d += `M${r[0][0]} ${r[0][1]}`
    const deltas = []
    for (let i = 1; i < r.length; i++) deltas.push(r[i][0] - r[i - 1][0], r[i][1] - r[i - 1][1])
    d += 'l' + deltas.map((n, i) => (i === 0 || n < 0 ? `${n}` : ` ${n}`)).join('')
    d += 'z'
    for (const [x, y] of r) {
      box[0] = Math.min(box[0], x); box[1] = Math.min(box[1], y)
      box[2] = Math.max(box[2], x); box[3] = Math.max(box[3], y)
    }
  }
  return {d, size: d ? Math.max(box[2] - box[0], box[3] - box[1]) : 0}
}

// The centroid of a feature's largest polygon, so that a state with far
// islands gets its marker on its main island.
function mainCentroid(f) {
  const g = f.geometry
  if (g.type !== 'MultiPolygon') return geoCentroid(f)
  let best = null, bestArea = -1
  for (const coordinates of g.coordinates) {
    const p = {type: 'Polygon', coordinates}, a = geoArea(p)
    if (a > bestArea) { bestArea = a; best = p }
  }
  return geoCentroid(best)
}

const countries = [], other = [], drawn = new Map()
for (const f of shapes) {
  const {d, size} = pathOf(f)
  if (!d) continue
  if (f.id === undefined) { other.push({name: f.properties.name, d}); continue }
  const code = alpha3.get(f.id)
  if (!code) throw new Error(`world-atlas id ${f.id} (${f.properties.name}) is not in ISO 3166-1`)
  const seen = drawn.get(f.id)
  if (seen) { seen.d += d; seen.size = Math.max(seen.size, size); continue }
  const c = {numeric: f.id, code, d, size}
  drawn.set(f.id, c); countries.push(c)
}
const markers = []
for (const e of iso) {
  const c = drawn.get(e.numeric)
  if (c && c.size >= MIN_SIZE) continue
  const f = fine.find((g) => g.id === e.numeric)
  if (!f) continue
  const [x, y] = projection(mainCentroid(f)).map((v) => Math.round(v * 10) / 10)
  markers.push({numeric: e.numeric, code: e.alpha_3, x, y})
}
countries.sort((a, b) => a.code.localeCompare(b.code))
markers.sort((a, b) => a.code.localeCompare(b.code))
other.sort((a, b) => a.name.localeCompare(b.name))

// Every UN member and observer state must be found on the map.
const un = read(env.WM_UN)
const wanted = [...un.members.codes, ...un.observers.map((o) => o.code)]
const found = new Set([...countries.map((c) => c.code), ...markers.map((m) => m.code)])
const missing = wanted.filter((c) => !found.has(c))
if (missing.length) throw new Error(`no shape and no marker for ${missing.join(' ')}`)

const source = JSON.parse(env.WM_SOURCE)
const line = (o) => JSON.stringify(o)
process.stdout.write('{\n"source": ' + line(source) + ',\n' +
  `"projection": "Equal Earth", "width": ${WIDTH}, "height": ${HEIGHT},\n` +
  '"countries": [\n' + countries.map(({numeric, code, d}) => line({numeric, code, d})).join(',\n') + '\n],\n' +
  '"markers": [\n' + markers.map(line).join(',\n') + '\n],\n' +
  '"other": [\n' + other.map(line).join(',\n') + '\n]\n}\n')
