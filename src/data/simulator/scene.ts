/**
 * One simulated cutout in detector counts: the main galaxy (with clumps, merging partner and tidal tails),
 * companion galaxies and foreground stars elsewhere in the frame, artefacts, PSF blur, sky and noise, and
 * detector defects — in that physical order.
 */
import type { Rng } from '../../util/rng.js';
import { addArtefact, applyDetectorDefects, noDefects } from './artefacts.js';
import { addGaussianBlob, addPointSource } from './blob.js';
import { addBodyLight, NO_STRUCTURE, type BodyLight } from './galaxyLight.js';
import type { Morphology } from './morphology.js';
import { addSkyAndNoise } from './noise.js';
import { apertureArea, fluxForSnr, skyVariance, type Observation } from './observation.js';
import { blurSeparable, moffatKernel } from './psf.js';
import { addTidalTail } from './tidalTail.js';

/** Share of a clumpy galaxy's disk light that sits in its star-forming clumps. */
const CLUMP_SHARE = 0.2;
/** Surface brightness (sky-noise units) below which a galaxy's light is not drawn. */
const LIGHT_FLOOR = 0.01;

/** Renders the noisy image (counts, size × size, row 0 at the top) of `m` under `obs`, drawing details from rng. */
export function renderCounts(m: Morphology, obs: Observation, rng: Rng, size: number): Float32Array {
  const img = new Float32Array(size * size);
  const defects = noDefects();
  const variance = skyVariance(obs);
  const floor = LIGHT_FLOOR * Math.sqrt(variance);

  addBodyLight(img, size, m, floor, m.clumps > 0 ? 1 - CLUMP_SHARE : 1);
  if (m.clumps > 0) addClumps(img, size, m, rng);
  if (m.partnerFluxRatio > 0) addPartnerAndTails(img, size, m, floor, rng);
  for (let k = 0; k < m.companions; k++) addCompanion(img, size, m, obs, floor, rng);
  // Foreground stars: S/N drawn log-uniformly in [8, 800] within an aperture of radius 2σ of the PSF.
  const starArea = 4 * apertureArea(0, 1, obs.psfFwhm);
  for (let k = 0; k < m.stars; k++) {
    const flux = fluxForSnr(Math.exp(rng.range(Math.log(8), Math.log(800))), starArea, variance);
    const [x, y] = awayFromCentre(size, m, rng);
    addPointSource(img, size, x, y, flux);
  }
  addArtefact(m.artefact, img, size, obs, rng, m.galaxyClass === 'artefact', defects);

  blurSeparable(img, size, moffatKernel(obs.psfFwhm, obs.psfBeta));
  addSkyAndNoise(img, obs, rng);
  applyDetectorDefects(img, size, obs, defects);
  return img;
}

/** A position in the frame at least ~2.5 half-light radii from the main galaxy. */
function awayFromCentre(size: number, m: Morphology, rng: Rng): [number, number] {
  const minDistance = Math.min(2.5 * m.halfLightRadius, size * 0.3);
  for (let attempt = 0; attempt < 20; attempt++) {
    const x = rng.range(0, size);
    const y = rng.range(0, size);
    if (Math.hypot(x - m.centreX, y - m.centreY) >= minDistance) return [x, y];
  }
  return [rng.bernoulli(0.5) ? rng.range(0, 0.1 * size) : rng.range(0.9 * size, size), rng.range(0, size)];
}

function addClumps(img: Float32Array, size: number, m: Morphology, rng: Rng): void {
  const clumpFlux = (m.totalFlux * (1 - m.bulgeFraction) * CLUMP_SHARE) / m.clumps;
  const pa = (m.positionAngle * Math.PI) / 180;
  for (let k = 0; k < m.clumps; k++) {
    const r = m.diskScale * rng.range(0.3, 2.2);
    const theta = rng.range(0, 2 * Math.PI);
    const u = r * Math.cos(theta);
    const v = r * Math.sin(theta) * m.axisRatio;
    const x = m.centreX + u * Math.cos(pa) - v * Math.sin(pa);
    const y = m.centreY - (u * Math.sin(pa) + v * Math.cos(pa));
    addGaussianBlob(img, size, x, y, (size / 64) * rng.range(0.8, 1.6), clumpFlux * rng.range(0.5, 1.5));
  }
}

function addPartnerAndTails(img: Float32Array, size: number, m: Morphology, floor: number, rng: Rng): void {
  const angle = (m.partnerAngle * Math.PI) / 180;
  const px = m.centreX + m.partnerSeparation * Math.cos(angle);
  const py = m.centreY - m.partnerSeparation * Math.sin(angle);
  const partnerRadius = m.halfLightRadius * Math.sqrt(m.partnerFluxRatio) * rng.range(0.8, 1.2);
  const partnerIsDisk = rng.bernoulli(0.5);
  const partner: BodyLight = {
    centreX: px,
    centreY: py,
    totalFlux: m.totalFlux * m.partnerFluxRatio,
    bulgeFraction: partnerIsDisk ? rng.range(0.1, 0.5) : 1,
    sersicIndex: rng.range(2, 4),
    bulgeRadius: partnerRadius * (partnerIsDisk ? 0.3 : 1),
    bulgeAxisRatio: rng.range(0.6, 1),
    diskScale: partnerRadius / 1.678,
    axisRatio: rng.range(0.3, 1),
    positionAngle: rng.range(0, 180),
    armPhase: rng.range(0, 360),
    ...NO_STRUCTURE,
    disturbance: m.disturbance,
  };
  addBodyLight(img, size, partner, floor);
  const tailFlux = m.totalFlux * 0.12 * m.disturbance;
  for (let k = 0; k < m.tails; k++) {
    const fromPartner = k % 2 === 1;
    addTidalTail(
      img,
      size,
      {
        x: fromPartner ? px : m.centreX,
        y: fromPartner ? py : m.centreY,
        startRadius: 0.8 * (fromPartner ? partnerRadius : m.halfLightRadius),
        length: m.halfLightRadius * rng.range(2, 4.5),
        flux: tailFlux,
      },
      rng,
    );
  }
}

function addCompanion(img: Float32Array, size: number, m: Morphology, obs: Observation, floor: number, rng: Rng): void {
  const [x, y] = awayFromCentre(size, m, rng);
  const radius = (size / 64) * rng.range(0.7, 2.5);
  const q = rng.range(0.3, 1);
  const isDisk = rng.bernoulli(0.5);
  const flux = fluxForSnr(Math.exp(rng.range(Math.log(4), Math.log(80))), apertureArea(radius, q, obs.psfFwhm), skyVariance(obs));
  addBodyLight(img, size, {
    centreX: x,
    centreY: y,
    totalFlux: flux,
    bulgeFraction: isDisk ? 0.2 : 1,
    sersicIndex: rng.range(1.5, 4),
    bulgeRadius: radius * (isDisk ? 0.3 : 1),
    bulgeAxisRatio: isDisk ? Math.max(q, 0.6) : q,
    diskScale: radius / 1.678,
    axisRatio: q,
    positionAngle: rng.range(0, 180),
    armPhase: 0,
    ...NO_STRUCTURE,
    disturbance: 0,
  }, floor);
}
