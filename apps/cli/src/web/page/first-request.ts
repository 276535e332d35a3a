/**
 * `/first-request.js`: a few hundred bytes the page loads before its script (which carries
 * ECharts and takes a few hundred milliseconds to arrive and start). It sends the timeline request
 * of the URL at once, so the server answers while the page's script starts.
 */
import { sendFirstRequest } from './api-request';
import { viewStateOf } from './view-state';

sendFirstRequest(viewStateOf(location.search));
