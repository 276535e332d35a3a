export * from './cloudtrail-lookup-server';
export * from './cloudtrail-log-files';
export * from './s3-server';
export * from './cloudtrail-fixtures';
export * from './run-ecslog';
