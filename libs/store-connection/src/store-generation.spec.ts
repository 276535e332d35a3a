import { createWriteGeneration, isReadOnlyRequest } from './store-generation';

describe('isReadOnlyRequest', () => {
  it.each(['Query', 'Scan', 'GetItem', 'BatchGetItem', 'DescribeTable', 'ListTables'])(
    'knows %s for a read',
    (operation) => {
      expect(isReadOnlyRequest(`DynamoDB_20120810.${operation}`)).toBe(true);
    },
  );

  it.each([
    'DynamoDB_20120810.PutItem',
    'DynamoDB_20120810.BatchWriteItem',
    // A SELECT statement reads, but a statement is not looked into: it counts as a write.
    'DynamoDB_20120810.ExecuteStatement',
    'DynamoDB_20120810.BatchExecuteStatement',
    'DynamoDB_20120810.SomeFutureOperation',
    'DynamoDBStreams_20120810.GetRecords',
    'Query',
    '',
  ])('counts %j as a write', (target) => {
    expect(isReadOnlyRequest(target)).toBe(false);
  });

  it('counts a missing or repeated target as a write', () => {
    expect(isReadOnlyRequest(undefined)).toBe(false);
    expect(isReadOnlyRequest(['DynamoDB_20120810.Query', 'DynamoDB_20120810.Query'])).toBe(false);
  });
});

describe('createWriteGeneration', () => {
  it('moves by one per write answered, from a start no other store shares', () => {
    const [a, b] = [createWriteGeneration(), createWriteGeneration()];
    const start = a.current();
    a.bump();
    a.bump();

    expect(a.current()).toBe(start + 2);
    // Two counters starting alike would be a 1 in 2^47 chance.
    expect(b.current()).not.toBe(start);
  });
});
