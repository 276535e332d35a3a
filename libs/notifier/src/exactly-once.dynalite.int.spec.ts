/** Exactly once on dynalite: see `exactly-once-property.ts`. */
import { describeExactlyOnce } from './exactly-once-property';

describeExactlyOnce('dynalite');
