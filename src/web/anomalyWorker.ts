/**
 * The worker thread of an explorer anomaly session (anomalySession.ts): projects the store, resumes the ratings file
 * and runs the rounds of `galmorph anomalies --interactive` (runAnomalyRounds: the same loop, defaults and seed),
 * fitting each round's Gaussian process here so the server's thread keeps answering requests meanwhile. The rater
 * is the main thread: every galaxy to rate is posted with the round and the ratings so far, and the loop waits for
 * the rating to come back (null stops it). Each rating is written to the ratings file (atomically) before the
 * loop goes on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddingStore } from '../data/embeddingStore.js';
import { InputError } from '../util/errors.js';
import { fieldDefaults } from '../util/fields.js';
import { ANOMALIES_FIELDS } from '../workflows/anomalies/anomalies.js';
import { projectStore } from '../workflows/anomalies/anomaliesData.js';
import { runAnomalyRounds, type RateRequest } from '../workflows/anomalies/anomaliesLoop.js';
import { readRatingsIfPresent, writeRatings } from '../workflows/anomalies/anomaliesRatings.js';
import { webLoopOptions, type AnomalyRequestView, type AnomalyWorkerData, type FromAnomalyWorker, type ToAnomalyWorker } from './anomalySession.js';

const port = parentPort;
if (port === null) throw new Error('anomalyWorker.ts runs as a worker thread (started by anomalySession.ts)');
const post = (message: FromAnomalyWorker) => port.postMessage(message);
const { storeDir, ratingsFile } = workerData as AnomalyWorkerData;

let answer: ((rating: number | null) => void) | null = null;
let stopped = false;
port.on('message', (message: ToAnomalyWorker) => {
  if (message.type === 'stop') stopped = true;
  const give = answer;
  answer = null;
  give?.(message.type === 'rate' ? message.rating : null);
});

async function run(): Promise<void> {
  const data = await projectStore(EmbeddingStore.open(storeDir), fieldDefaults(ANOMALIES_FIELDS).components, 1);
  const ratings = readRatingsIfPresent(ratingsFile, data.indexOfId);
  const view = (r: RateRequest): AnomalyRequestView => ({ id: data.ids[r.index], round: r.round, position: r.position, perRound: r.perRound, mean: r.mean, sd: r.sd });
  const rated = () => ratings.map((r) => ({ id: r.id, rating: r.rating, round: r.round }));
  let round: AnomalyRequestView[] = [];
  await runAnomalyRounds({ ids: data.ids, x: data.gpInputs, dimension: data.gpDimension, anomaly: null }, ratings, {
    startRound: async (requests) => {
      round = requests.map(view);
    },
    rate: (request) => {
      if (stopped) return Promise.resolve(null);
      post({ type: 'ask', current: view(request), round, ratings: rated() });
      return new Promise((resolve) => (answer = resolve));
    },
  }, webLoopOptions(), { onRating: (all) => writeRatings(ratingsFile, all) });
  post({ type: 'end', ratings: rated() });
}

run().then(() => port.close(), (e: unknown) => {
  post({ type: 'error', message: e instanceof Error ? e.message : String(e), input: e instanceof InputError });
  port.close();
});
