import { FAILURE_CATEGORIES } from '@ecslog/ecs-event-mapper';
import { OUTCOME_FILTERS } from '@ecslog/task-runs';
import { FAILURE_CATEGORY_NAMES, OUTCOME_FILTER_NAMES } from './help-lists';

describe('the lists the help prints', () => {
  it("are the domain's, in its order", () => {
    expect(FAILURE_CATEGORY_NAMES).toEqual(FAILURE_CATEGORIES);
    expect(OUTCOME_FILTER_NAMES).toEqual(OUTCOME_FILTERS);
  });
});
