import {
  clusterArnOf,
  clusterNameInResourceArn,
  clusterNameOf,
  parseArn,
  serviceNameOf,
  taskDefinitionOf,
  taskIdOf,
} from './ecs-arn';

describe('ECS ARNs', () => {
  it('parses the parts of an ARN, including colons in the resource', () => {
    expect(parseArn('arn:aws:ecs:eu-west-1:111122223333:task-definition/web:42')).toEqual({
      partition: 'aws',
      service: 'ecs',
      region: 'eu-west-1',
      account: '111122223333',
      resource: 'task-definition/web:42',
    });
    expect(parseArn('not an arn')).toBeUndefined();
  });

  it('reads cluster names from ARNs and bare names', () => {
    expect(clusterNameOf('arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web')).toBe('prod-web');
    expect(clusterNameOf('batch')).toBe('batch');
    expect(
      clusterNameOf('arn:aws:ecs:eu-west-1:111122223333:service/prod-web/web'),
    ).toBeUndefined();
    expect(clusterArnOf('batch', 'aws-cn', 'cn-north-1', '111122223333')).toBe(
      'arn:aws-cn:ecs:cn-north-1:111122223333:cluster/batch',
    );
    expect(clusterArnOf('arn:aws:ecs:eu-west-1:111122223333:cluster/b', 'aws', 'x', 'y')).toBe(
      'arn:aws:ecs:eu-west-1:111122223333:cluster/b',
    );
  });

  it('reads task ids, service names and task definitions in long and short formats', () => {
    expect(taskIdOf('arn:aws:ecs:eu-west-1:111122223333:task/prod-web/0a1b2c')).toBe('0a1b2c');
    expect(taskIdOf('arn:aws:ecs:eu-west-1:111122223333:task/0a1b2c')).toBe('0a1b2c');
    expect(taskIdOf('0a1b2c')).toBe('0a1b2c');
    expect(taskIdOf('arn:aws:ecs:eu-west-1:111122223333:service/x/y')).toBeUndefined();
    expect(serviceNameOf('arn:aws:ecs:eu-west-1:111122223333:service/prod-web/web')).toBe('web');
    expect(serviceNameOf('arn:aws:ecs:eu-west-1:111122223333:service/web')).toBe('web');
    expect(
      clusterNameInResourceArn('arn:aws:ecs:eu-west-1:111122223333:service/prod-web/web'),
    ).toBe('prod-web');
    expect(
      clusterNameInResourceArn('arn:aws:ecs:eu-west-1:111122223333:service/web'),
    ).toBeUndefined();
    expect(taskDefinitionOf('arn:aws:ecs:eu-west-1:111122223333:task-definition/web:42')).toEqual({
      family: 'web',
      revision: 42,
    });
    expect(taskDefinitionOf('nightly-report')).toEqual({ family: 'nightly-report' });
    expect(taskDefinitionOf('arn:aws:ecs:eu-west-1:111122223333:cluster/x')).toBeUndefined();
  });
});
