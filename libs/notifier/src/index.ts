export * from './notifier-api';
