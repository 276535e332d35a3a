/** Exactly once on the official DynamoDB Local: see `exactly-once-property.ts`. */
import { describeExactlyOnce } from './exactly-once-property';

describeExactlyOnce('dynamodb-local');
